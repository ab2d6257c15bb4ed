/** The fault sweep of the fixture's share plan for every even k (helpers/fault-fixture.ts). */
import { faultFixtureSweep } from './helpers/fault-fixture.js';

faultFixtureSweep('even');
