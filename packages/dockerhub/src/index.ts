export { dockerhubFlavor, dockerhubFlavor as flavor } from './dockerhub-flavor.js';
export { createHubApiClient, DOCKER_HUB_API_URL, type HubApiClient, type HubApiClientOptions, type HubTag } from './dockerhub-api.js';
export { dockerHubRateLimitError, readDockerHubRateLimit, type DockerHubLimit, type DockerHubRateLimit, type ThrottledResponse } from './dockerhub-rate-limit.js';
export { dockerHubUriProblem, normalizeDockerHubUri } from './dockerhub-uri.js';
