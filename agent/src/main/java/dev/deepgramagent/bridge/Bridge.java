package dev.deepgramagent.bridge;

/**
 * The only agent type advice refers to. Every method is static, never throws, and is a no-op until
 * the agent's core has installed its handler.
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

    public static void socketCreated(Object socket, String library, String url, String clientSessionId) {
        try {
            handler.socketCreated(socket, library, url, clientSessionId);
        } catch (Throwable ignored) {
            // the handler counts its own errors; nothing may reach the app
        }
    }

    public static void socketRekeyed(Object from, Object to) {
        try {
            handler.socketRekeyed(from, to);
        } catch (Throwable ignored) {
            // see socketCreated
        }
    }

    public static void handshakeStarted(Object socket, Object outcome) {
        try {
            handler.handshakeStarted(socket, outcome);
        } catch (Throwable ignored) {
            // see socketCreated
        }
    }

    public static void socketOpened(Object socket, String requestId) {
        try {
            handler.socketOpened(socket, requestId);
        } catch (Throwable ignored) {
            // see socketCreated
        }
    }

    public static boolean binarySent(Object socket, int bytes, Object payload) {
        try {
            return handler.binarySent(socket, bytes, payload);
        } catch (Throwable ignored) {
            return false;
        }
    }

    /**
     * {@link #binarySent} for a {@code ByteBuffer} payload. The engine gets the buffer's backing array
     * when it starts at the buffer's position: a buffer the library wrapped for the call (Java-WebSocket's
     * {@code send(byte[])}) then never escapes into the agent, and the JIT can leave it unallocated as
     * it does without the agent.
     */
    public static boolean binarySent(Object socket, java.nio.ByteBuffer payload) {
        try {
            int bytes = payload.remaining();
            if (payload.hasArray() && payload.arrayOffset() + payload.position() == 0) {
                return handler.binarySent(socket, bytes, payload.array());
            }
            return handler.binarySent(socket, bytes, payload);
        } catch (Throwable ignored) {
            return false;
        }
    }

    /**
     * Whether the agent tracks this socket: advice checks it before decoding a frame's text, which a
     * library such as Jetty would otherwise pay on every frame of every WebSocket (its servers' too).
     */
    public static boolean tracked(Object socket) {
        try {
            return handler.tracked(socket);
        } catch (Throwable ignored) {
            return false;
        }
    }

    public static int textSent(Object socket, String text) {
        try {
            return handler.textSent(socket, text);
        } catch (Throwable ignored) {
            return BridgeHandler.SEND;
        }
    }

    public static boolean closeRequested(Object socket, int code, String reason, boolean alreadyClosing) {
        try {
            return handler.closeRequested(socket, code, reason, alreadyClosing);
        } catch (Throwable ignored) {
            return false;
        }
    }

    public static void cancelRequested(Object socket) {
        try {
            handler.cancelRequested(socket);
        } catch (Throwable ignored) {
            // see socketCreated
        }
    }

    public static void textReceived(Object socket, String text) {
        try {
            handler.textReceived(socket, text);
        } catch (Throwable ignored) {
            // see socketCreated
        }
    }

    public static void textPartReceived(Object socket, CharSequence part, boolean last) {
        try {
            handler.textPartReceived(socket, part, last);
        } catch (Throwable ignored) {
            // see socketCreated
        }
    }

    public static void messageDelivered(Object socket) {
        try {
            handler.messageDelivered(socket);
        } catch (Throwable ignored) {
            // see socketCreated
        }
    }

    public static Object audioSent(Object socket, int bytes, Object payload) {
        try {
            return handler.audioSent(socket, null, bytes, payload);
        } catch (Throwable ignored) {
            return null;
        }
    }

    /** {@link #audioSent} with the token an earlier call returned for the same socket (see {@link BridgeHandler#audioSent}). */
    public static Object audioSent(Object socket, Object session, int bytes, Object payload) {
        try {
            return handler.audioSent(socket, session, bytes, payload);
        } catch (Throwable ignored) {
            return null;
        }
    }

    public static Object sendIssued(Object socket, Object token, Object result, Object message, int kind, boolean last) {
        try {
            return handler.sendIssued(socket, token, result, message, kind, last);
        } catch (Throwable ignored) {
            return result;
        }
    }

    public static Object deferredCloseResult(Object socket) {
        try {
            return handler.deferredCloseResult(socket);
        } catch (Throwable ignored) {
            return null;
        }
    }

    public static Object closeIssued(Object socket, int code, String reason, Object frame, Object appResult) {
        try {
            return handler.closeIssued(socket, code, reason, frame, appResult);
        } catch (Throwable ignored) {
            return appResult;
        }
    }

    public static void closeReceived(Object socket, int code, String reason) {
        try {
            handler.closeReceived(socket, code, reason);
        } catch (Throwable ignored) {
            // see socketCreated
        }
    }

    public static void failed(Object socket, Throwable error, int httpStatus, String serverMessage) {
        try {
            handler.failed(socket, error, httpStatus, serverMessage);
        } catch (Throwable ignored) {
            // see socketCreated
        }
    }

    public static long tunedTimeout(Object socket, String url, String key, long appValue) {
        try {
            return handler.tunedTimeout(socket, url, key, appValue);
        } catch (Throwable ignored) {
            return appValue;
        }
    }
}
