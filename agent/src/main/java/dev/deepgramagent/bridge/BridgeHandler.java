package dev.deepgramagent.bridge;

/**
 * What advice woven into client libraries can report. Defined in the bootstrap class loader so every
 * class loader sees the same type; the agent's core (in the agent class loader) extends it.
 * Parameters use only JDK types, because the core cannot see the app's library classes.
 * Methods returning boolean answer "skip the library's own code" (see each method).
 */
public abstract class BridgeHandler {

    /** {@link #textSent} answers: send the app's text frame as usual. */
    public static final int SEND = 0;
    /** Drop it and answer the app as the library does for a closed socket. */
    public static final int DROP = 1;
    /** Do not send it now (the agent sends it later) and answer the app as for an accepted send. */
    public static final int HOLD = 2;

    /**
     * A WebSocket object of {@code library} was created for {@code url}; {@code clientSessionId} is the
     * request's {@code x-deepgram-session-id} header (the official SDK's reconnect chain), or null.
     */
    public void socketCreated(Object socket, String library, String url, String clientSessionId) {
    }

    /**
     * The object that stands for a socket changed: libraries that build their WebSocket object only
     * once the handshake succeeded (the JDK's) report the handshake's object first, then this.
     */
    public void socketRekeyed(Object from, Object to) {
    }

    /**
     * The handshake's outcome arrives through {@code outcome} (a {@code CompletionStage}): when it
     * fails without a response the library reports nowhere else (a refused connection, a connect
     * timeout), its failure ends the session.
     */
    public void handshakeStarted(Object socket, Object outcome) {
    }

    /** The handshake succeeded; {@code requestId} is Deepgram's {@code dg-request-id} header, or null. */
    public void socketOpened(Object socket, String requestId) {
    }

    /**
     * The app sends a binary (audio) frame; {@code payload} is the library's buffer object, passed
     * by reference (read only for a session's first frames). @return true to drop it: the app closed already.
     */
    public boolean binarySent(Object socket, int bytes, Object payload) {
        return false;
    }

    /**
     * {@link #binarySent} for libraries whose send needs a second step after it returns (the JDK's:
     * {@link #sendIssued} with the library's answer). @return null for a socket the agent does not
     * track; for a frame to drop (the app closed already), the IOException the library answers
     * then, which advice skips the send on ({@code skipOn = IOException.class}: a JDK type, so
     * Byte Buddy resolves it anywhere); otherwise a token to hand to {@link #sendIssued}, which then
     * needs no lookup. An adapter that keeps state per socket (Netty's handler) may keep that token
     * and pass it back as {@code session} with the socket's next frames: they need no lookup either.
     * Null asks for the lookup; so does a token of a session that has ended.
     */
    public Object audioSent(Object socket, Object session, int bytes, Object payload) {
        return null;
    }

    /** The app sends a text frame. @return {@link #SEND}, {@link #DROP} (the app closed already) or {@link #HOLD}. */
    /** Whether the agent tracks this socket now (for advice that would otherwise decode every frame of every socket). */
    public boolean tracked(Object socket) {
        return false;
    }

    public int textSent(Object socket, String text) {
        return SEND;
    }

    /** The app asks to close. @return true when the agent defers the close (the library must not close now). */
    public boolean closeRequested(Object socket, int code, String reason, boolean alreadyClosing) {
        return false;
    }

    /** The app cancels (aborts) the socket. */
    public void cancelRequested(Object socket) {
    }

    /** A text frame arrived from the server. */
    public void textReceived(Object socket, String text) {
    }

    /**
     * A part of a text message arrived (libraries that deliver a message in several parts): the
     * parts are joined and handled as {@link #textReceived} when {@code last} is true.
     */
    public void textPartReceived(Object socket, CharSequence part, boolean last) {
    }

    /**
     * The library handed the message last reported by {@link #textReceived} (or {@link #textPartReceived})
     * to the app: for adapters whose library stops delivering once the socket is closed, a close that
     * message allowed waits until now.
     */
    public void messageDelivered(Object socket) {
    }

    /** {@link #sendIssued}'s kinds of send. */
    public static final int SENT_TEXT = 0;
    public static final int SENT_BINARY = 1;
    public static final int SENT_PING = 2;
    public static final int SENT_PONG = 3;

    /**
     * Libraries whose sends answer with a future (the JDK's): the app's send of {@code kind}
     * ({@link #SENT_TEXT}, ...) returned {@code result}; {@code token} is {@link #audioSent}'s answer,
     * or null to look the socket up. @return what the app gets instead, {@code result} to keep it
     * (see {@code SocketControl.sendIssued}).
     */
    public Object sendIssued(Object socket, Object token, Object result, Object message, int kind, boolean last) {
        return result;
    }

    /**
     * Libraries whose close answers with a future: what the app's close returns when the agent
     * deferred it ({@link #closeRequested} answered true). Null keeps the library's own answer.
     */
    public Object deferredCloseResult(Object socket) {
        return null;
    }

    /**
     * A library whose close is lazy (reactor-netty's {@code sendClose} returns a Mono) built the app's
     * close: on a tracked socket the adapter may answer a wrapper that asks {@link #closeRequested}
     * only when the app subscribes, and defers the library's close if told so. {@code frame} is the
     * close frame the library will write (the adapter releases it if the app gives up on the wait).
     */
    public Object closeIssued(Object socket, int code, String reason, Object frame, Object appResult) {
        return appResult;
    }

    /** A close frame arrived from the server. */
    public void closeReceived(Object socket, int code, String reason) {
    }

    /**
     * The socket failed; {@code httpStatus} is the handshake response status, 0 if none, and
     * {@code serverMessage} Deepgram's {@code dg-error} header of that response, or null.
     */
    public void failed(Object socket, Throwable error, int httpStatus, String serverMessage) {
    }

    /**
     * A client timeout of a socket about to be used ({@code socket}) or created ({@code url}):
     * {@code key} is the agent's configuration key for it (okhttp.ping.interval, jdk.connect.timeout, ...),
     * in milliseconds, 0 for none. @return the value to use, {@code appValue} to keep it.
     */
    public long tunedTimeout(Object socket, String url, String key, long appValue) {
        return appValue;
    }
}
