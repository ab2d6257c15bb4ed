/** The fault sweep of the fixture's share plan for every odd k (helpers/fault-fixture.ts). */
import { faultFixtureSweep } from './helpers/fault-fixture.js';

faultFixtureSweep('odd');
