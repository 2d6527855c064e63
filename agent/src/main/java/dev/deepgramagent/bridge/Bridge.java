package dev.deepgramagent.bridge;

/**
 * The only agent type advice refers to. Every method is static, never throws, and is a no-op until
 * the agent's core has installed its handler (or after it degraded to doing nothing).
 */
public final class Bridge {

    private static final BridgeHandler NOOP = new BridgeHandler() {
    };

    private static volatile BridgeHandler handler = NOOP;

    private Bridge() {
    }

    public static void install(BridgeHandler newHandler) {
        handler = newHandler == null ? NOOP : newHandler;
    }

    public static void socketCreated(Object socket, String library, String url) {
        try {
            handler.socketCreated(socket, library, url);
        } catch (Throwable ignored) {
            // the handler counts its own errors; nothing may reach the app
        }
    }
}
