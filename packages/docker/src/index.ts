export { encodeDockerAuthConfig, toDockerAuthConfig, type DockerAuthConfig } from './docker-auth.js';
export { connectDocker, type DockerConnectionOptions } from './docker-client.js';
export { createDockerPusher, type DockerPusherOptions } from './docker-pusher.js';
export { readEngineStream, EngineStreamError, type EngineMessage } from './engine-stream.js';
