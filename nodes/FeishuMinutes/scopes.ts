import { operationEndpoints } from './actions';
import type { Endpoint } from './transport/endpoints';
import { EVENT_ENDPOINTS } from './trigger/events';
import { POLL_ENDPOINTS } from './trigger/poll';

/** Every endpoint a user token may call: the node's operations, the trigger's poll, the event trigger's. */
function userEndpoints(): Endpoint[] {
	return [...operationEndpoints(), ...POLL_ENDPOINTS, ...EVENT_ENDPOINTS].filter((endpoint) => endpoint.identities.includes('user'));
}

/**
 * The scopes the OAuth2 credential asks for: the current scope of every endpoint a user token
 * calls, and offline_access, without which Feishu issues no refresh token.
 */
export const USER_SCOPES: readonly string[] = [...new Set([...userEndpoints().map((endpoint) => endpoint.scopes[0]), 'offline_access'])];
