package dev.deepgramagent.instrumentation.jetty;

import dev.deepgramagent.core.session.SocketControl;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;

/**
 * Writes to a Jetty 12 {@code WebSocketCoreSession} through its public core API, by reflection on
 * the session's loader (the agent is Java 11 code and cannot see Jetty). {@code sendFrame} is
 * thread-safe (Jetty's flusher queues frames), never blocks, and reports through a callback: the
 * agent's frames use Jetty's {@code Callback.NOOP}. The app's deferred close keeps its callback,
 * which Jetty completes when the agent performs the close.
 */
final class JettyControl implements SocketControl {

    private static final String CORE_SESSION = "org.eclipse.jetty.websocket.core.WebSocketCoreSession";
    private static final byte TEXT = 1;
    private static final byte PING = 9;

    /** Per session: the app's callback of a deferred close. */
    static final class State {
        Object appCallback;
        boolean closed;
    }

    /** The core API of one loader's Jetty. */
    private static final class Api {
        final Method isOutputOpen;
        final Method sendFrame;
        final Method close;
        final Method abort;
        final Method requestUri;
        final Method behavior;
        final Constructor<?> textFrame;
        final Constructor<?> emptyFrame;
        final Object noop;
        final Method succeeded;
        final Method combine;

        Api(Class<?> session) throws ReflectiveOperationException {
            ClassLoader loader = session.getClassLoader();
            Class<?> frame = Class.forName("org.eclipse.jetty.websocket.core.Frame", false, loader);
            Class<?> callback = Class.forName("org.eclipse.jetty.util.Callback", false, loader);
            Class<?> core = Class.forName("org.eclipse.jetty.websocket.core.CoreSession", false, loader);
            isOutputOpen = core.getMethod("isOutputOpen");
            sendFrame = Class.forName("org.eclipse.jetty.websocket.core.OutgoingFrames", false, loader)
                    .getMethod("sendFrame", frame, callback, boolean.class);
            close = core.getMethod("close", int.class, String.class, callback);
            abort = core.getMethod("abort");
            requestUri = core.getMethod("getRequestURI");
            behavior = core.getMethod("getBehavior");
            textFrame = frame.getConstructor(byte.class, String.class);
            emptyFrame = frame.getConstructor(byte.class, ByteBuffer.class);
            noop = callback.getField("NOOP").get(null);
            succeeded = callback.getMethod("succeeded");
            combine = optional(callback, "combine", callback, callback);
        }
    }

    /** A method only some Jetty versions have: null where it is missing, so the rest of the API still works. */
    private static Method optional(Class<?> type, String name, Class<?>... parameters) {
        try {
            return type.getMethod(name, parameters);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static final ClassValue<Api> API = new ClassValue<Api>() {
        @Override
        protected Api computeValue(Class<?> type) {
            try {
                return new Api(type);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("not a Jetty WebSocket session: " + type.getName(), e);
            }
        }
    };

    private static boolean isSession(Object socket) {
        return socket != null && socket.getClass().getName().equals(CORE_SESSION);
    }

    /** Adoption: a client session's request URI (Jetty keeps no request headers on it: no session id). */
    @Override
    public String[] describe(Object socket) throws Exception {
        if (!isSession(socket)) {
            return null;
        }
        Api api = API.get(socket.getClass());
        if (!"CLIENT".equals(String.valueOf(api.behavior.invoke(socket)))) {
            return null; // a session of a Jetty server
        }
        return new String[] {String.valueOf(api.requestUri.invoke(socket)), null};
    }

    @Override
    public Object newState() {
        return new State();
    }

    @Override
    public byte[] audioHead(Object payload, int max) {
        ByteBuffer b = ((ByteBuffer) payload).duplicate(); // never moves the frame's position
        byte[] head = new byte[Math.min(max, b.remaining())];
        b.get(head);
        return head;
    }

    @Override
    public boolean sendText(Object socket, Object state, String text) throws Exception {
        if (!isSession(socket)) {
            return false; // still the handshake's request or handler
        }
        Api api = API.get(socket.getClass());
        if (!(Boolean) api.isOutputOpen.invoke(socket)) {
            return false;
        }
        api.sendFrame.invoke(socket, api.textFrame.newInstance(TEXT, text), api.noop, false);
        return true;
    }

    @Override
    public boolean sendPing(Object socket, Object state) throws Exception {
        if (!isSession(socket)) {
            return false;
        }
        Api api = API.get(socket.getClass());
        if (!(Boolean) api.isOutputOpen.invoke(socket)) {
            return false;
        }
        api.sendFrame.invoke(socket, api.emptyFrame.newInstance(PING, ByteBuffer.allocate(0)), api.noop, false);
        return true;
    }

    /** The app's deferred close, with its callback (completed by Jetty when the close is done). */
    @Override
    public boolean close(Object socket, Object state, int code, String reason) throws Exception {
        if (!isSession(socket)) {
            return false;
        }
        Api api = API.get(socket.getClass());
        Object callback;
        State st = (State) state;
        synchronized (st) {
            st.closed = true;
            callback = st.appCallback != null ? st.appCallback : api.noop;
            st.appCallback = null;
        }
        api.close.invoke(socket, code, reason, callback);
        return true;
    }

    /** What the advice gets back once this control holds the app's callback (anything but the callback itself). */
    private static final Object HELD = new Object();

    /**
     * The advice hands over the app's callback of the close the engine defers. The answer tells the
     * advice the callback is held (and Jetty's close is to be skipped): {@link #HELD}.
     */
    @Override
    public Object closeIssued(Object socket, Object state, int code, String reason, Object frame, Object appResult) {
        State st = (State) state;
        boolean alreadyClosed;
        synchronized (st) {
            alreadyClosed = st.closed;
            if (!alreadyClosed) {
                if (st.appCallback != null && appResult != null && isSession(socket)) {
                    // The app's second close while the first is deferred: both callbacks complete with the one close.
                    Method combine = API.get(socket.getClass()).combine;
                    try {
                        if (combine != null) {
                            st.appCallback = combine.invoke(null, st.appCallback, appResult);
                        }
                    } catch (ReflectiveOperationException e) {
                        // keep the first callback; the second is the app's own duplicate
                    }
                } else {
                    st.appCallback = appResult;
                }
            }
        }
        if (alreadyClosed && appResult != null && isSession(socket)) {
            try {
                API.get(socket.getClass()).succeeded.invoke(appResult); // the engine closed before the app's callback arrived
            } catch (ReflectiveOperationException e) {
                // the app's callback is its own business; the close went out
            }
        }
        return HELD;
    }

    @Override
    public void abort(Object socket, Object state) throws Exception {
        if (isSession(socket)) {
            API.get(socket.getClass()).abort.invoke(socket);
            return;
        }
        // Still upgrading (jetty.handshake.timeout ran out): abort the upgrade's HTTP exchange; Jetty then
        // fails the connect future the app waits on.
        Field exchange = socket == null ? null : UPGRADE_EXCHANGE.get(socket.getClass());
        Object request = exchange == null ? null : exchange.get(socket);
        if (request != null) {
            request.getClass().getMethod("abort", Throwable.class)
                    .invoke(request, new TimeoutException("the WebSocket upgrade took longer than jetty.handshake.timeout"));
        }
    }

    /**
     * The HTTP request inside a {@code CoreClientUpgradeRequest} (a private field: Jetty has no getter),
     * or null where it cannot be read (Jetty on the module path, another version's shape): the upgrade
     * then runs to Jetty's own timeouts.
     */
    private static final ClassValue<Field> UPGRADE_EXCHANGE = new ClassValue<Field>() {
        @Override
        protected Field computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (c.getName().equals(JettyInstrumentation.UPGRADE_REQUEST)) {
                    try {
                        Field f = c.getDeclaredField("request");
                        f.setAccessible(true);
                        return f;
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    };

    /** Jetty has no ping interval of its own: the engine pings idle Flux sessions. */
    @Override
    public boolean pingsOnItsOwn() {
        return false;
    }

    /** Only Jetty's idle timeout (30 s by default) ends a close the server never answers: the engine bounds it with jetty.close.timeout. */
    @Override
    public boolean timesOutCloseOnItsOwn() {
        return false;
    }
}
