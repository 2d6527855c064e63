package dev.deepgramagent.core;

import dev.deepgramagent.bridge.BridgeHandler;
import dev.deepgramagent.config.AgentConfig;
import dev.deepgramagent.errors.InternalErrors;
import dev.deepgramagent.logging.AgentLogging;
import org.slf4j.Logger;

/**
 * The library-agnostic core behind the bridge: decides which sockets are Deepgram sessions.
 * Adapters report through {@link dev.deepgramagent.bridge.Bridge}; nothing here knows a
 * WebSocket library.
 */
public final class AgentCore extends BridgeHandler {

    private final Logger log = AgentLogging.logger("core");
    private final DeepgramEndpoints endpoints;

    public AgentCore(AgentConfig config) {
        this.endpoints = new DeepgramEndpoints(config.hosts());
    }

    @Override
    public void socketCreated(Object socket, String library, String url) {
        try {
            DeepgramEndpoints.Endpoint endpoint = endpoints.classify(url);
            if (endpoint != null) {
                // Never the URL itself: its query may carry customer settings or a token.
                log.debug("{}: tracking a Deepgram {} session", library, endpoint.label());
            }
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "socketCreated", t);
        }
    }
}
