export { startServer as startApp, type RunningServer as RunningApp, type ServerOptions as AppOptions } from '../server/create-server.js';
