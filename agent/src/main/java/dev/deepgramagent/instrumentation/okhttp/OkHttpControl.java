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

    /** okio.ByteString#toByteArray, the same in okio 1.x (OkHttp 3) and 2.x/3.x (OkHttp 4, 5). */
    private static final ClassValue<Method> TO_BYTE_ARRAY = new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                return type.getMethod("toByteArray");
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("not an okio ByteString: " + type.getName(), e);
            }
        }
    };

    @Override
    public byte[] audioHead(Object payload, int max) throws Exception {
        return (byte[]) TO_BYTE_ARRAY.get(payload.getClass()).invoke(payload);
    }

    @Override
    public boolean sendText(Object socket, String text) throws Exception {
        return (Boolean) METHODS.get(socket.getClass())[0].invoke(socket, text);
    }

    @Override
    public boolean close(Object socket, int code, String reason) throws Exception {
        return (Boolean) METHODS.get(socket.getClass())[1].invoke(socket, code, reason);
    }
}
