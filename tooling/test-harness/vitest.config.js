import { defineTestConfig } from './vitest.js';

export default defineTestConfig();
