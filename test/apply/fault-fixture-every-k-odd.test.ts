/** The fault sweep of the fixture's share plan for every odd k (support/fault-fixture.ts). */
import { faultFixtureSweep } from './support/fault-fixture.js';

faultFixtureSweep('odd');
