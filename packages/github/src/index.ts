export { githubFlavor, githubFlavor as flavor } from './github-flavor.js';
export { createGitHubPackagesClient, type GitHubPackagesClient, type GitHubPackagesClientOptions, type PackageVersion } from './github-api.js';
export { defaultGitHubApiUrl, GHCR_HOST, GITHUB_API_URL, gitHubRegistryUriProblem, isGitHubRegistryHost } from './github-uri.js';
