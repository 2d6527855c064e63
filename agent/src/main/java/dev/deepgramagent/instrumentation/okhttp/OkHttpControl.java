package dev.deepgramagent.instrumentation.okhttp;

import dev.deepgramagent.core.session.SocketControl;

import java.lang.reflect.Method;

/**
 * Writes to an OkHttp WebSocket through its public API ({@code okhttp3.WebSocket}), found by
 * reflection on the socket's own class: the agent's class loader cannot see OkHttp.
 */
final class OkHttpControl implements SocketControl {

    private static final ClassValue<Method[]> METHODS = new ClassValue<Method[]>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            try {
                Class<?> api = Class.forName("okhttp3.WebSocket", false, type.getClassLoader());
                return new Method[] {api.getMethod("send", String.class), api.getMethod("close", int.class, String.class)};
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("not an OkHttp WebSocket: " + type.getName(), e);
            }
        }
    };

    /**
     * okio.ByteString's size(), substring(int, int) and toByteArray(), the same in okio 1.x (OkHttp 3)
     * and 2.x/3.x (OkHttp 4, 5). Looked up on okio.ByteString itself: a payload may be a
     * package-private subclass (SegmentedByteString) whose own methods reflection cannot call.
     */
    private static final ClassValue<Method[]> BYTE_STRING = new ClassValue<Method[]>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            try {
                Class<?> api = Class.forName("okio.ByteString", false, type.getClassLoader());
                return new Method[] {api.getMethod("size"), api.getMethod("substring", int.class, int.class), api.getMethod("toByteArray")};
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("not an okio ByteString: " + type.getName(), e);
            }
        }
    };

    /** Adoption: okhttp3.WebSocket.request()'s URL and x-deepgram-session-id header. */
    @Override
    public String[] describe(Object socket) throws Exception {
        Class<?> api;
        try {
            api = Class.forName("okhttp3.WebSocket", false, socket.getClass().getClassLoader());
        } catch (ClassNotFoundException notOkHttp) {
            return null;
        }
        if (!api.isInstance(socket)) {
            return null;
        }
        Object request = api.getMethod("request").invoke(socket);
        Class<?> requestType = Class.forName("okhttp3.Request", false, socket.getClass().getClassLoader());
        String url = String.valueOf(requestType.getMethod("url").invoke(request));
        String sessionId = (String) requestType.getMethod("header", String.class).invoke(request, "x-deepgram-session-id");
        return new String[] {url, sessionId};
    }

    /** The first {@code max} bytes only: a frame may be megabytes, and this runs on the app's send thread. */
    @Override
    public byte[] audioHead(Object payload, int max) throws Exception {
        Method[] m = BYTE_STRING.get(payload.getClass());
        int size = (Integer) m[0].invoke(payload);
        Object head = size > max ? m[1].invoke(payload, 0, max) : payload;
        return (byte[]) m[2].invoke(head);
    }

    @Override
    public boolean sendText(Object socket, Object state, String text) throws Exception {
        return (Boolean) METHODS.get(socket.getClass())[0].invoke(socket, text);
    }

    @Override
    public boolean close(Object socket, Object state, int code, String reason) throws Exception {
        return (Boolean) METHODS.get(socket.getClass())[1].invoke(socket, code, reason);
    }
}
