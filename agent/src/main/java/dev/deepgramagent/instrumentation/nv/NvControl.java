package dev.deepgramagent.instrumentation.nv;

import dev.deepgramagent.core.session.AgentWrites;
import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.errors.InternalErrors;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.Socket;
import java.util.List;

/**
 * Writes to an nv-websocket-client {@code WebSocket} through its public API, by reflection on the
 * socket's own class (the agent's class loader cannot see the library). Frames are queued to the
 * socket's writing thread from any thread; nv-websocket ignores frames once the socket is closed.
 */
final class NvControl implements SocketControl {

    private static final String WEB_SOCKET = "com.neovisionaries.ws.client.WebSocket";

    /** isOpen(), sendText(String), sendPing(), disconnect(int, String), getURI(), getSocket(). */
    private static final ClassValue<Method[]> METHODS = new ClassValue<Method[]>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            try {
                Class<?> api = Class.forName(WEB_SOCKET, false, type.getClassLoader());
                return new Method[] {api.getMethod("isOpen"), api.getMethod("sendText", String.class), api.getMethod("sendPing"),
                        api.getMethod("disconnect", int.class, String.class), api.getMethod("getURI"), api.getMethod("getSocket")};
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("not an nv-websocket WebSocket: " + type.getName(), e);
            }
        }
    };

    private static boolean isWebSocket(Object socket) {
        return socket != null && socket.getClass().getName().equals(WEB_SOCKET);
    }

    /**
     * The URI and the app's {@code x-deepgram-session-id} header, both set before connect(): the
     * headers live in the socket's private handshake builder, read by reflection.
     */
    @Override
    public String[] describe(Object socket) throws Exception {
        if (!isWebSocket(socket)) {
            return null;
        }
        String url = String.valueOf(METHODS.get(socket.getClass())[4].invoke(socket));
        return new String[] {url, sessionId(socket)};
    }

    private static String sessionId(Object socket) throws Exception {
        Field builderField = socket.getClass().getDeclaredField("mHandshakeBuilder");
        builderField.setAccessible(true);
        Object builder = builderField.get(socket);
        if (builder == null) {
            return null;
        }
        Field headersField = builder.getClass().getDeclaredField("mHeaders");
        headersField.setAccessible(true);
        Object headers = headersField.get(builder);
        if (!(headers instanceof List)) {
            return null;
        }
        synchronized (builder) {
            for (Object header : (List<?>) headers) {
                String[] pair = (String[]) header;
                if (pair.length == 2 && "x-deepgram-session-id".equalsIgnoreCase(pair[0])) {
                    return pair[1];
                }
            }
        }
        return null;
    }

    /** The first bytes of a binary frame's payload (the frame object is what the advice reports). */
    @Override
    public byte[] audioHead(Object payload, int max) throws Exception {
        byte[] all = (byte[]) payload.getClass().getMethod("getPayload").invoke(payload);
        if (all == null) {
            return new byte[0];
        }
        return all.length <= max ? all : java.util.Arrays.copyOf(all, max);
    }

    @Override
    public boolean sendText(Object socket, Object state, String text) throws Exception {
        Method[] m = METHODS.get(socket.getClass());
        if (!(Boolean) m[0].invoke(socket)) {
            return false;
        }
        m[1].invoke(socket, text);
        return true;
    }

    /**
     * disconnect(code, reason): nv-websocket waits for the server's close frame up to its close delay.
     * The engine often performs a deferred close as the flush's answer arrives, on nv-websocket's
     * reading thread, which disconnect() interrupts: the app's listener, still to be called with that
     * very answer, would run interrupted. There, the close is handed to another thread.
     */
    @Override
    public boolean close(Object socket, Object state, int code, String reason) throws Exception {
        Method[] m = METHODS.get(socket.getClass());
        if (!(Boolean) m[0].invoke(socket)) {
            return false;
        }
        if (!Thread.currentThread().getClass().getName().startsWith("com.neovisionaries.ws.client.")) {
            m[3].invoke(socket, code, reason);
            return true;
        }
        java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                AgentWrites.run(() -> m[3].invoke(socket, code, reason));
            } catch (Exception e) {
                InternalErrors.record(InternalErrors.Kind.RUNTIME, "nv-websocket close", e);
            }
        });
        return true;
    }

    @Override
    public boolean sendPing(Object socket, Object state) throws Exception {
        Method[] m = METHODS.get(socket.getClass());
        if (!(Boolean) m[0].invoke(socket)) {
            return false;
        }
        m[2].invoke(socket);
        return true;
    }

    /** nv-websocket has no abort: closing its TCP socket ends the reading thread, and with it the connection. */
    @Override
    public void abort(Object socket, Object state) throws Exception {
        Socket raw = (Socket) METHODS.get(socket.getClass())[5].invoke(socket);
        if (raw != null) {
            raw.close();
        }
    }

    /** Its ping interval ({@code setPingInterval}, tuned through {@code nv-websocket.ping.interval}). */
    @Override
    public boolean pingsOnItsOwn() {
        return true;
    }

    /** disconnect's close delay (10 s by default) drops a connection whose close the server never answers. */
    @Override
    public boolean timesOutCloseOnItsOwn() {
        return true;
    }
}
