package dev.deepgramagent.core.session;

/**
 * What a library adapter offers the engine: the only ways the agent ever writes to a socket, and
 * what the engine must do itself because the library does not (its own pings, a close timeout).
 * Implementations call the library's public API on the socket object. {@code state} is the
 * adapter's own per-socket object ({@link #newState}), kept in the session; null for most adapters.
 */
public interface SocketControl {

    /** Sends a text frame; false if the library refused (socket closing or closed). */
    boolean sendText(Object socket, Object state, String text) throws Exception;

    /** Starts the library's normal close handshake with this code and reason. */
    boolean close(Object socket, Object state, int code, String reason) throws Exception;

    /**
     * The first bytes of an audio payload as the adapter passed it to {@code binarySent} (up to
     * {@code max}), for the audio preflight; called for a session's first frame only. Null when the
     * library's payload type is not readable.
     */
    default byte[] audioHead(Object payload, int max) throws Exception {
        return payload instanceof byte[] ? (byte[]) payload : null;
    }

    /**
     * For adoption after an attach: when {@code socket} is one of this library's WebSocket objects,
     * its URL and the request's {@code x-deepgram-session-id} (or null) as {@code {url, sessionId}};
     * else null. Called once per socket the agent first meets after it was created.
     */
    default String[] describe(Object socket) throws Exception {
        return null;
    }

    /**
     * The engine tracks this socket from now on: its handshake succeeded, or it was adopted after an
     * attach. An adapter that acts through the library's own extension points sets them up here
     * (the Netty adapter adds its channel handler). Called on the thread that reported the event.
     */
    default void opened(Object socket, Object state) throws Exception {
    }

    /** A new session's per-socket state for this adapter, or null. */
    default Object newState() {
        return null;
    }

    /**
     * Whether the library sends WebSocket pings on its own once told an interval (through
     * {@code tunedTimeout}). If not, the engine pings idle Flux sockets through {@link #sendPing}.
     */
    default boolean pingsOnItsOwn() {
        return true;
    }

    /** Sends a WebSocket ping; false if the library cannot (or refused). */
    default boolean sendPing(Object socket, Object state) throws Exception {
        return false;
    }

    /**
     * Whether the library gives up on a close the server never answers (OkHttp after its close
     * timeout). If not, the engine aborts the socket through {@link #abort} after
     * {@code <library>.close.timeout}.
     */
    default boolean timesOutCloseOnItsOwn() {
        return true;
    }

    /**
     * Whether the adapter reports a received message before the library hands it to the app, and the
     * library hands nothing to the app once the socket is closed (Tyrus). A deferred close that such a
     * message allows then waits for {@code Bridge.messageDelivered}, or the app would miss the very
     * answer the close waited for.
     */
    default boolean closesAfterDelivery() {
        return false;
    }

    /** Drops the connection at once, without a close handshake. */
    default void abort(Object socket, Object state) throws Exception {
    }

    /**
     * Libraries whose sends answer with a future: the app's send returned {@code result}; the
     * adapter may answer something else (the JDK's: the same send, once the agent's own write that
     * held the socket has gone out). Called on the app's send path: no allocation unless replaced.
     */
    default Object sendIssued(Object socket, Object state, Object result, Object message, int kind, boolean last) {
        return result;
    }

    /** The kinds of the app's sends in {@link #sendIssued}: the bridge's values. */
    int SENT_TEXT = 0;
    int SENT_BINARY = 1;
    int SENT_PING = 2;
    int SENT_PONG = 3;

    /**
     * Whether the adapter may carry out an app's send again as the agent's write ({@link #sendIssued}
     * replacing a refused send): the engine then ignores audio sent as the agent's, counted once already.
     */
    default boolean replaysAppSends() {
        return false;
    }

    /**
     * Libraries whose close is lazy (a Mono, built before it runs): what the app gets for the close
     * it built, on a tracked socket in active mode. The adapter decides at subscription, through
     * {@code Bridge.closeRequested}, and holds the library's close until {@link #close} carries it out.
     */
    default Object closeIssued(Object socket, Object state, int code, String reason, Object frame, Object appResult) {
        return appResult;
    }

    /** Libraries whose close answers with a future: what the app's deferred close returns. */
    default Object deferredCloseResult(Object socket, Object state) {
        return null;
    }
}
