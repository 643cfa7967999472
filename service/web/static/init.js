// The NHS.UK design system's scripts only enhance: every page works without them.
import { initAll } from "/assets/nhsuk-frontend.min.js";

initAll();
