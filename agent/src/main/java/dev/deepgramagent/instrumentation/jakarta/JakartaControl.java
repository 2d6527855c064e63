package dev.deepgramagent.instrumentation.jakarta;

import dev.deepgramagent.core.session.SocketControl;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Writes to a Tyrus session through the public Jakarta WebSocket API ({@code jakarta.websocket.Session}),
 * found by reflection on the session's loader. The agent's messages go through the async remote,
 * which never blocks the caller (Tyrus serialises frames under its own lock). Before the Session exists the key
 * is Tyrus's client engine, then its endpoint wrapper, which offer no writes: every call answers false there.
 */
final class JakartaControl implements SocketControl {

    static final String SESSION = "org.glassfish.tyrus.core.TyrusSession";
    private static final String CLIENT_CONTAINER = "org.glassfish.tyrus.client.ClientManager";

    /** The Jakarta API of one loader. */
    private static final class Api {
        final Method isOpen;
        final Method asyncRemote;
        final Method sendText;
        final Method sendPing;
        final Method close;
        final Method closeCode;
        final Constructor<?> closeReason;
        final Method requestUri;
        final Method container;
        final Method setMaxIdleTimeout;

        Api(Class<?> sessionType) throws ReflectiveOperationException {
            ClassLoader loader = sessionType.getClassLoader();
            Class<?> session = Class.forName("jakarta.websocket.Session", false, loader);
            Class<?> async = Class.forName("jakarta.websocket.RemoteEndpoint$Async", false, loader);
            Class<?> reason = Class.forName("jakarta.websocket.CloseReason", false, loader);
            Class<?> code = Class.forName("jakarta.websocket.CloseReason$CloseCode", false, loader);
            isOpen = session.getMethod("isOpen");
            asyncRemote = session.getMethod("getAsyncRemote");
            sendText = async.getMethod("sendText", String.class);
            sendPing = Class.forName("jakarta.websocket.RemoteEndpoint", false, loader).getMethod("sendPing", ByteBuffer.class);
            close = session.getMethod("close", reason);
            closeCode = Class.forName("jakarta.websocket.CloseReason$CloseCodes", false, loader).getMethod("getCloseCode", int.class);
            closeReason = reason.getConstructor(code, String.class);
            requestUri = session.getMethod("getRequestURI");
            container = session.getMethod("getContainer");
            setMaxIdleTimeout = session.getMethod("setMaxIdleTimeout", long.class);
        }
    }

    private static final ClassValue<Api> API = new ClassValue<Api>() {
        @Override
        protected Api computeValue(Class<?> type) {
            try {
                return new Api(type);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("not a Jakarta WebSocket session: " + type.getName(), e);
            }
        }
    };

    private static boolean isSession(Object socket) {
        for (Class<?> c = socket == null ? null : socket.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals(SESSION)) {
                return true;
            }
        }
        return false;
    }

    /** Adoption: a client session's request URI (Tyrus keeps no request headers on the session: no session id). */
    @Override
    public String[] describe(Object socket) throws Exception {
        if (!isSession(socket)) {
            return null;
        }
        Api api = API.get(socket.getClass());
        Object container = api.container.invoke(socket);
        boolean client = false;
        for (Class<?> c = container == null ? null : container.getClass(); c != null; c = c.getSuperclass()) {
            client |= c.getName().equals(CLIENT_CONTAINER);
        }
        if (!client) {
            return null; // a session of a Tyrus server
        }
        return new String[] {String.valueOf(api.requestUri.invoke(socket)), null};
    }

    /** The payload's first bytes (the buffer, never moving the app's position), or the array itself. */
    @Override
    public byte[] audioHead(Object payload, int max) {
        if (payload instanceof byte[]) {
            byte[] all = (byte[]) payload;
            return all.length <= max ? all : java.util.Arrays.copyOf(all, max);
        }
        ByteBuffer b = ((ByteBuffer) payload).duplicate();
        byte[] head = new byte[Math.min(max, b.remaining())];
        b.get(head);
        return head;
    }

    @Override
    public boolean sendText(Object socket, Object state, String text) throws Exception {
        if (!open(socket)) {
            return false;
        }
        Api api = API.get(socket.getClass());
        try {
            api.sendText.invoke(api.asyncRemote.invoke(socket), text);
            return true;
        } catch (InvocationTargetException e) {
            return closedMeanwhile(socket, e);
        }
    }

    @Override
    public boolean sendPing(Object socket, Object state) throws Exception {
        if (!open(socket)) {
            return false;
        }
        Api api = API.get(socket.getClass());
        try {
            api.sendPing.invoke(api.asyncRemote.invoke(socket), ByteBuffer.allocate(0));
            return true;
        } catch (InvocationTargetException e) {
            return closedMeanwhile(socket, e);
        }
    }

    /** Session.close(CloseReason): Tyrus writes the close frame, runs the app's onClose and drops the connection. */
    @Override
    public boolean close(Object socket, Object state, int code, String reason) throws Exception {
        if (!open(socket)) {
            return false;
        }
        Api api = API.get(socket.getClass());
        Object closeReason = api.closeReason.newInstance(api.closeCode.invoke(null, code), reason == null ? "" : reason);
        try {
            api.close.invoke(socket, closeReason);
            return true;
        } catch (InvocationTargetException e) {
            return closedMeanwhile(socket, e);
        }
    }

    /**
     * A write that failed because the session closed in between (Tyrus marks the Session closed before
     * its socket, and throws a plain RuntimeException, "socket not connected", or an IOException from a
     * dropped transport) answers false; anything else is the agent's problem and is rethrown.
     */
    private static boolean closedMeanwhile(Object socket, InvocationTargetException e) throws Exception {
        Throwable cause = e.getCause();
        if (cause instanceof IllegalStateException || cause instanceof java.io.IOException) {
            return false;
        }
        if (cause != null && cause.getClass() == RuntimeException.class) {
            return false; // TyrusWebSocket.checkConnectedState ("socket not connected"), a cancelled frame write
        }
        throw e;
    }

    /**
     * The app's close is deferred: the skipped {@code Session.close} would have stopped the session's
     * idle timer, which would otherwise close it 1006 in the middle of the flush. The app closed, so
     * its idle limit no longer matters.
     */
    @Override
    public Object closeIssued(Object socket, Object state, int code, String reason, Object frame, Object appResult) {
        try {
            if (open(socket)) {
                API.get(socket.getClass()).setMaxIdleTimeout.invoke(socket, 0L);
            }
        } catch (Exception e) {
            // the timer stays; at worst Tyrus's idle timeout ends the deferral early
        }
        return appResult;
    }

    /** Tyrus hands nothing to the app of a closed Session: a close the awaited answer allows waits until the app has it. */
    @Override
    public boolean closesAfterDelivery() {
        return true;
    }

    /** The Jakarta API cannot drop a connection without its close frame; Tyrus's close never waits for the answer, so it is as quick. */
    @Override
    public void abort(Object socket, Object state) throws Exception {
        close(socket, state, 1000, "closed by deepgram-agent: no answer from the server");
    }

    /** Tyrus's heartbeat sends unsolicited pongs, never pings: the engine pings idle Flux sessions. */
    @Override
    public boolean pingsOnItsOwn() {
        return false;
    }

    /** Tyrus never waits for the server's close: its close ends the connection at once. */
    @Override
    public boolean timesOutCloseOnItsOwn() {
        return true;
    }

    private static boolean open(Object socket) throws Exception {
        return isSession(socket) && (Boolean) API.get(socket.getClass()).isOpen.invoke(socket);
    }
}
