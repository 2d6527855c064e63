package dev.deepgramagent.core.session;

import dev.deepgramagent.core.DeepgramEndpoints;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;

/**
 * One Deepgram socket: what was sent, what came back, how it is closing and how it ended. The
 * audio send path only touches the hot-path fields below, allocates nothing, takes no lock and
 * issues no fence. Everything else is guarded by the session's own lock.
 */
public final class Session {

    public enum State { CONNECTING, OPEN, DEFERRING_CLOSE, CLOSING, ENDED }

    private static final VarHandle AUDIO_BYTES;
    private static final VarHandle AUDIO_FRAMES;
    private static final VarHandle LAST_SEND;
    private static final VarHandle LONGEST_GAP;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            AUDIO_BYTES = lookup.findVarHandle(Session.class, "audioBytes", long.class);
            AUDIO_FRAMES = lookup.findVarHandle(Session.class, "audioFrames", long.class);
            LAST_SEND = lookup.findVarHandle(Session.class, "lastSendNanos", long.class);
            LONGEST_GAP = lookup.findVarHandle(Session.class, "longestGapNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final WeakReference<Object> socket;
    public final String library;
    public final DeepgramEndpoints.Endpoint endpoint;
    public final AudioFormat format;
    public final long createdNanos;

    // Hot path: written with release stores, read as volatile by other threads.
    private volatile long audioBytes;
    private volatile long audioFrames;
    volatile long lastSendNanos;
    volatile long longestGapNanos;

    // Guarded by this.
    State state = State.CONNECTING;
    long openedNanos;
    String requestId;
    long bytesAtLastFlush;       // audio bytes when the last Finalize/CloseStream was sent
    boolean flushOutstanding;    // a flush was sent and not answered yet
    boolean flushIsCloseStream;  // answered by Metadata rather than a from_finalize result
    long flushSentNanos;
    int appKeepAlives;
    int appFinalizes;
    int appCloseStreams;
    int injectedKeepAlives;
    int injectedFinalizes;
    int injectedCloseStreams;
    double coveredUntil;         // audio seconds covered by final results received
    double coveredAtDeferral = -1;
    int finalResults;
    boolean metadataSeen;
    long lastFlushLatencyNanos = -1;

    volatile boolean appCloseRequested; // read on the send path without the lock
    int appCloseCode;
    String appCloseReason;
    long appCloseNanos;
    boolean clientCloseSent;
    boolean deferred;
    java.util.concurrent.ScheduledFuture<?> closeTimer; // bounds a deferred close; cancelled at the end
    boolean appCancelled;
    boolean shutdown;

    SessionEnd end;
    boolean reported;            // listeners have seen the end

    Session(Object socket, String library, DeepgramEndpoints.Endpoint endpoint, AudioFormat format, long now) {
        this.socket = new WeakReference<>(socket);
        this.library = library;
        this.endpoint = endpoint;
        this.format = format;
        this.createdNanos = now;
        this.lastSendNanos = now;
    }

    /**
     * The audio send path: counters and timestamps only. An audio stream has one sender at a time
     * (interleaving two would scramble the audio), so a plain read and a release store replace
     * atomic read-modify-writes and the full fence of a volatile store; other threads still read
     * every field as volatile.
     */
    void audioSent(int bytes, long now) {
        AUDIO_BYTES.setRelease(this, audioBytes + bytes);
        AUDIO_FRAMES.setRelease(this, audioFrames + 1);
        long gap = now - lastSendNanos;
        if (gap > longestGapNanos) {
            LONGEST_GAP.setRelease(this, gap);
        }
        LAST_SEND.setRelease(this, now);
    }

    void textSent(long now) {
        long gap = now - lastSendNanos;
        if (gap > longestGapNanos) {
            longestGapNanos = gap;
        }
        lastSendNanos = now;
    }

    public long audioBytes() {
        return audioBytes;
    }

    public long audioFrames() {
        return audioFrames;
    }

    public double audioSeconds() {
        return format.seconds(audioBytes);
    }

    /** Audio was sent after the last flush message. */
    synchronized boolean hasUnflushedAudio() {
        return audioBytes > bytesAtLastFlush;
    }

    synchronized void flushSent(boolean closeStream, long now) {
        bytesAtLastFlush = audioBytes;
        flushOutstanding = true;
        flushIsCloseStream = closeStream;
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
}
