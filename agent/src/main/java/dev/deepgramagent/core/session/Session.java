package dev.deepgramagent.core.session;

import dev.deepgramagent.core.DeepgramEndpoints;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * One Deepgram socket: what was sent, what came back, how it is closing and how it ended. The
 * audio send path only touches volatile fields through field updaters, so it allocates nothing.
 * Everything else is guarded by the session's own lock.
 */
public final class Session {

    public enum State { CONNECTING, OPEN, DEFERRING_CLOSE, CLOSING, ENDED }

    private static final AtomicLongFieldUpdater<Session> AUDIO_BYTES = AtomicLongFieldUpdater.newUpdater(Session.class, "audioBytes");
    private static final AtomicLongFieldUpdater<Session> AUDIO_FRAMES = AtomicLongFieldUpdater.newUpdater(Session.class, "audioFrames");

    final WeakReference<Object> socket;
    public final String library;
    public final DeepgramEndpoints.Endpoint endpoint;
    public final AudioFormat format;
    public final long createdNanos;

    // Hot path.
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

    /** The audio send path: counters and timestamps only. */
    void audioSent(int bytes, long now) {
        AUDIO_BYTES.addAndGet(this, bytes);
        AUDIO_FRAMES.incrementAndGet(this);
        long gap = now - lastSendNanos;
        if (gap > longestGapNanos) {
            longestGapNanos = gap;
        }
        lastSendNanos = now;
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

    synchronized void flushSent(boolean injected, boolean closeStream, long now) {
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
