/** The fault sweep of the fixture's share plan for every even k (support/fault-fixture.ts). */
import { faultFixtureSweep } from './support/fault-fixture.js';

faultFixtureSweep('even');
