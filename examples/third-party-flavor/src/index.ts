export { harborFlavor, harborFlavor as flavor } from './harbor-flavor.js';
export { createHarborApi, type HarborApi, type HarborApiOptions } from './harbor-api.js';
export { HARBOR_URI_EXAMPLE, harborUriProblem, parseHarborUri, type HarborUri } from './harbor-uri.js';
