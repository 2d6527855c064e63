package dev.deepgramagent.core.session;

import dev.deepgramagent.core.DeepgramEndpoints;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.concurrent.ScheduledFuture;

/**
 * One Deepgram socket: what was sent, what came back, how it is closing and how it ended. The
 * audio send path only touches the hot-path fields below, allocates nothing, takes no lock and
 * issues no fence. Everything else is guarded by the session's own lock.
 */
public final class Session {

    public enum State { CONNECTING, OPEN, DEFERRING_CLOSE, CLOSING, ENDED }

    /**
     * A message that makes Deepgram deliver what it holds, and what answers it: Finalize (a
     * {@code from_finalize} result) and CloseStream (Metadata) on /v1, ForceEndTurn (the
     * {@code EndOfTurn} it forces, or the Warning for no active turn) on Flux.
     */
    enum Flush {
        FINALIZE("{\"type\":\"Finalize\"}", "finalize"),
        CLOSESTREAM("{\"type\":\"CloseStream\"}", "closestream"),
        FORCE_END_TURN("{\"type\":\"ForceEndTurn\"}", "forceendturn");

        final String message;
        /** The {@code type} label of messages_injected. */
        final String label;

        Flush(String message, String label) {
            this.message = message;
            this.label = label;
        }
    }

    private static final VarHandle AUDIO_BYTES;
    private static final VarHandle AUDIO_FRAMES;
    private static final VarHandle LAST_SEND;
    private static final VarHandle LONGEST_GAP;
    private static final VarHandle SHARED_AUDIO_BYTES;
    private static final VarHandle SHARED_AUDIO_FRAMES;
    private static final VarHandle SENDER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            AUDIO_BYTES = lookup.findVarHandle(Session.class, "audioBytes", long.class);
            AUDIO_FRAMES = lookup.findVarHandle(Session.class, "audioFrames", long.class);
            LAST_SEND = lookup.findVarHandle(Session.class, "lastSendNanos", long.class);
            LONGEST_GAP = lookup.findVarHandle(Session.class, "longestGapNanos", long.class);
            SHARED_AUDIO_BYTES = lookup.findVarHandle(Session.class, "sharedAudioBytes", long.class);
            SHARED_AUDIO_FRAMES = lookup.findVarHandle(Session.class, "sharedAudioFrames", long.class);
            SENDER = lookup.findVarHandle(Session.class, "sender", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Weak: never keeps a socket alive. Replaced once when a library's socket object replaces its handshake's. */
    private volatile WeakReference<Object> socket;
    public final String library;
    /** The library's control, held here so that the JDK's per-send {@code sendIssued} needs no map lookup; null for a library never registered. */
    final SocketControl control;
    /** The adapter's own per-socket state (SocketControl.newState), or null. */
    final Object controlState;
    /** SocketControl.replaysAppSends: the audio path then checks whether the agent is the sender. */
    final boolean adapterReplaysSends;
    public final DeepgramEndpoints.Endpoint endpoint;
    public final AudioFormat format;
    public final long createdNanos;
    /** Flux ({@code /v2/listen}): turns instead of results, ForceEndTurn instead of Finalize, pings instead of KeepAlive. */
    public final boolean flux;
    /** The request's {@code x-deepgram-session-id} (the official SDK's reconnect chain); kept in memory only, never reported. */
    final String clientSessionId;

    // Hot path. The first thread that sends audio owns audioBytes/audioFrames: it writes them with
    // release stores, no atomic read-modify-write. Any other sending thread (an app with two senders,
    // or a pool) adds to the shared pair atomically. The counts are their sums: exact either way.
    private volatile long audioBytes;
    private volatile long audioFrames;
    private volatile long sharedAudioBytes;
    private volatile long sharedAudioFrames;
    /** The thread that owns audioBytes/audioFrames; set once, and dropped with the session object. */
    private volatile Thread sender;
    volatile long lastSendNanos;      // the app's own sends only: the gap metric shows the app's pauses
    volatile long longestGapNanos;
    /** Audio frames still to inspect (audio preflight); 0 on the steady-state path: one predictable branch. */
    int preflightFramesLeft;

    // Guarded by this.
    State state = State.CONNECTING;
    long openedNanos;
    String requestId;
    long bytesAtLastFlush;       // audio bytes at the last flush sent (Flux: also at the last EndOfTurn)
    boolean flushOutstanding;    // a flush was sent and not answered yet
    Flush flushKind;             // what the outstanding flush was
    double flushAudioSeconds;    // audio seconds sent when it was sent
    long flushSentNanos;
    int appKeepAlives;
    int appFinalizes;
    int appCloseStreams;
    int injectedKeepAlives;
    int injectedFinalizes;
    int injectedCloseStreams;
    int injectedForceEndTurns;
    double coveredUntil;         // audio seconds covered by final results (Flux: by ended turns and turn-free updates)
    boolean closeStreamSent;     // a CloseStream went out (the app's, or the agent's release of a held one)

    // Flux turns.
    boolean turnActive;          // StartOfTurn seen, its EndOfTurn not yet
    double lastTurnEnd;          // audio_window_end of the last EndOfTurn
    double fluxRescuedSeconds;   // turns delivered by an EndOfTurn that arrived while the app's close was deferred
    boolean closeAfterDelivery;  // the deferred close may go, once the library handed the message that allowed it to the app
    boolean heldCloseStream;     // the app's CloseStream waits for the turn to end (ForceEndTurn sent first)

    // Deepgram's Error frames and Configure answers.
    String pendingErrorVariant;  // set by an Error frame, cleared by any later message: explains the close that follows
    String pendingErrorCode;
    long pendingErrorNanos;
    String lastErrorLabel;       // the metric label of the last Error frame, for the end log
    int configuresSent;
    int configureSuccesses;
    int configureFailures;
    double coveredAtDeferral = -1;
    int finalResults;
    boolean metadataSeen;
    long lastFlushLatencyNanos = -1;

    volatile boolean appCloseRequested; // the app ended the stream (close, or a held CloseStream): later sends are dropped
    boolean appCloseCalled;      // the app called close()
    int appCloseCode;
    String appCloseReason;
    long appCloseNanos;
    boolean clientCloseSent;
    boolean deferred;
    java.util.concurrent.ScheduledFuture<?> closeTimer; // bounds a deferred close; cancelled at the end
    boolean appCancelled;
    boolean shutdown;

    long lastPingNanos;          // the agent's last WebSocket ping (Flux, libraries that do not ping on their own)
    ScheduledFuture<?> closeTimeout; // aborts a close the server never answers (libraries without a close timeout)
    ScheduledFuture<?> handshakeDeadline; // ends a handshake that takes too long (libraries without a handshake timeout)
    boolean handshakeExpired; // the deadline passed while connecting: a late answer does not open the session
    StringBuilder partialText;   // the parts so far of a text message delivered in parts
    long lastAgentSendNanos;     // the agent's own writes (KeepAlive, flushes): they reset Deepgram's idle timer too
    boolean carriedByKeepAlive;  // the app was silent past server.idle.window while the agent's KeepAlives went out
    int warnings;                // bit set of SessionWarning ordinals raised for this session
    String serverMessage;        // Deepgram's dg-error on a rejected handshake, redacted

    SessionEnd end;
    boolean reported;            // listeners have seen the end
    /** Opened before the agent was attached and adopted at a later event: its audio before that is not counted. */
    volatile boolean adopted;

    Session(Object socket, String library, DeepgramEndpoints.Endpoint endpoint, AudioFormat format, long now, String clientSessionId,
            SocketControl control) {
        this.socket = new WeakReference<>(socket);
        this.library = library;
        this.control = control;
        this.controlState = control == null ? null : control.newState();
        this.adapterReplaysSends = control != null && control.replaysAppSends();
        this.endpoint = endpoint;
        this.format = format;
        this.createdNanos = now;
        this.lastSendNanos = now;
        this.flux = endpoint == DeepgramEndpoints.Endpoint.LISTEN_V2;
        this.clientSessionId = clientSessionId;
    }

    /**
     * The audio send path: counters and timestamps only. An audio stream has one sender at a time
     * (interleaving two would scramble the audio), so a plain read and a release store replace
     * atomic read-modify-writes and the full fence of a volatile store; other threads still read
     * every field as volatile.
     */
    void audioSent(int bytes, long now) {
        Thread current = Thread.currentThread();
        if (current == sender || (sender == null && SENDER.compareAndSet(this, null, current))) {
            AUDIO_BYTES.setRelease(this, audioBytes + bytes);
            AUDIO_FRAMES.setRelease(this, audioFrames + 1);
        } else {
            SHARED_AUDIO_BYTES.getAndAdd(this, (long) bytes);
            SHARED_AUDIO_FRAMES.getAndAdd(this, 1L);
        }
        // Timestamps, not counts: with two senders the last store wins, which is what the gap needs.
        long gap = now - lastSendNanos;
        if (gap > longestGapNanos) {
            LONGEST_GAP.setRelease(this, gap);
        }
        LAST_SEND.setRelease(this, now);
    }

    /** The app sent a text frame. */
    void textSent(long now) {
        long gap = now - lastSendNanos;
        if (gap > longestGapNanos) {
            longestGapNanos = gap;
        }
        lastSendNanos = now;
    }

    /** The agent wrote to the socket: Deepgram's idle timer restarts, the app's gap does not end. Lock held. */
    void agentSent(long now) {
        lastAgentSendNanos = now;
    }

    /** The app's longest pause between its own actions, the last one running to its close or the end. Lock held. */
    long longestAppGapNanos(long endNanos) {
        long last = appCloseNanos != 0 ? appCloseNanos : endNanos;
        return Math.max(longestGapNanos, last - lastSendNanos);
    }

    public long audioBytes() {
        return audioBytes + sharedAudioBytes;
    }

    public long audioFrames() {
        return audioFrames + sharedAudioFrames;
    }

    public double audioSeconds() {
        return format.seconds(audioBytes());
    }

    /** Audio was sent after the last flush message (Flux: after the last EndOfTurn or ForceEndTurn). */
    synchronized boolean hasUnflushedAudio() {
        return audioBytes() > bytesAtLastFlush;
    }

    /**
     * Closing now would lose words: v1, audio not yet flushed; Flux, a turn in progress (audio sent
     * after the last EndOfTurn, or a turn the server has started and not ended); either, a flush
     * still unanswered.
     */
    synchronized boolean needsFlush() {
        return hasUnflushedAudio() || flushOutstanding || (flux && turnActive);
    }

    synchronized void flushSent(Flush kind, long now) {
        bytesAtLastFlush = audioBytes();
        flushOutstanding = true;
        flushKind = kind;
        flushAudioSeconds = audioSeconds();
        flushSentNanos = now;
    }

    public synchronized State state() {
        return state;
    }

    public synchronized String requestId() {
        return requestId;
    }

    public synchronized SessionEnd end() {
        return end;
    }

    Object socket() {
        return socket.get();
    }

    void rekey(Object newSocket) {
        socket = new WeakReference<>(newSocket);
    }
}
