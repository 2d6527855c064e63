package dev.deepgramagent.instrumentation.javawebsocket;

import dev.deepgramagent.core.session.SocketControl;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Writes to a Java-WebSocket connection through its public interface ({@code org.java_websocket.WebSocket}),
 * found by reflection on the connection's loader. Sends are safe from any thread (the library queues
 * them for its write thread); a send on a connection that is no longer open throws
 * {@code WebsocketNotConnectedException}, which answers false here.
 */
final class JavaWebSocketControl implements SocketControl {

    private static final String API = "org.java_websocket.WebSocket";

    /** isOpen(), send(String), sendPing(), close(int, String), closeConnection(int, String), getWebSocketListener(). */
    private static final ClassValue<Method[]> METHODS = new ClassValue<Method[]>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            try {
                Class<?> api = Class.forName(API, false, type.getClassLoader());
                return new Method[] {api.getMethod("isOpen"), api.getMethod("send", String.class), api.getMethod("sendPing"),
                        api.getMethod("close", int.class, String.class), api.getMethod("closeConnection", int.class, String.class),
                        type.getMethod("getWebSocketListener")};
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("not a Java-WebSocket connection: " + type.getName(), e);
            }
        }
    };

    private static boolean isConnection(Object socket) {
        return socket != null && socket.getClass().getName().equals("org.java_websocket.WebSocketImpl");
    }

    /** Adoption: the client's URI and its {@code x-deepgram-session-id} header (its private header map). */
    @Override
    public String[] describe(Object socket) throws Exception {
        if (!isConnection(socket)) {
            return null;
        }
        Object client = METHODS.get(socket.getClass())[5].invoke(socket);
        Class<?> clientType = Class.forName("org.java_websocket.client.WebSocketClient", false, socket.getClass().getClassLoader());
        if (!clientType.isInstance(client)) {
            return null; // a server-side connection
        }
        String url = String.valueOf(clientType.getMethod("getURI").invoke(client));
        Field headersField = clientType.getDeclaredField("headers");
        headersField.setAccessible(true);
        Map<?, ?> headers = (Map<?, ?>) headersField.get(client);
        Object id = headers == null ? null : headers.get("x-deepgram-session-id");
        return new String[] {url, id == null ? null : id.toString()};
    }

    /** The payload's backing array (starting at the buffer's position), or the buffer itself. */
    @Override
    public byte[] audioHead(Object payload, int max) {
        if (payload instanceof byte[]) {
            byte[] all = (byte[]) payload;
            return all.length <= max ? all : java.util.Arrays.copyOf(all, max);
        }
        ByteBuffer b = ((ByteBuffer) payload).duplicate(); // never moves the app's position
        byte[] head = new byte[Math.min(max, b.remaining())];
        b.get(head);
        return head;
    }

    @Override
    public boolean sendText(Object socket, Object state, String text) throws Exception {
        return call(socket, 1, text);
    }

    @Override
    public boolean close(Object socket, Object state, int code, String reason) throws Exception {
        return call(socket, 3, code, reason == null ? "" : reason);
    }

    @Override
    public boolean sendPing(Object socket, Object state) throws Exception {
        return call(socket, 2);
    }

    /**
     * Drops the connection without a close handshake; the app's onClose hears 1006. The client's own
     * socket is closed as well: closeConnection closes only a server's channel, and before the write
     * thread exists (connecting, the upgrade) nothing else would.
     */
    @Override
    public void abort(Object socket, Object state) throws Exception {
        Method[] m = METHODS.get(socket.getClass());
        m[4].invoke(socket, 1006, "closed by deepgram-agent: no answer from the server");
        Object client = m[5].invoke(socket);
        Method getSocket = client == null ? null : findMethod(client.getClass(), "getSocket");
        Object raw = getSocket == null ? null : getSocket.invoke(client);
        if (raw instanceof java.net.Socket) {
            ((java.net.Socket) raw).close();
        }
    }

    private static Method findMethod(Class<?> type, String name) {
        try {
            return type.getMethod(name);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** The lost-connection timer pings (60 s by default; {@code java-websocket.ping.interval}). */
    @Override
    public boolean pingsOnItsOwn() {
        return true;
    }

    /** Java-WebSocket stops reading after its close and waits for nothing but the next read: a silent server keeps it forever. */
    @Override
    public boolean timesOutCloseOnItsOwn() {
        return false;
    }

    /** Calls one of the interface's writes if the connection is open; false when it is not (or no longer) open. */
    private static boolean call(Object socket, int method, Object... args) throws Exception {
        Method[] m = METHODS.get(socket.getClass());
        if (!(Boolean) m[0].invoke(socket)) {
            return false;
        }
        try {
            m[method].invoke(socket, args);
            return true;
        } catch (InvocationTargetException e) {
            if (e.getCause() != null && e.getCause().getClass().getName().endsWith("WebsocketNotConnectedException")) {
                return false; // closed between the check and the send
            }
            throw e;
        }
    }
}
