package dev.deepgramagent.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What one session received and how it ended, as the server saw it. Written by the session's
 * event loop, readable from any thread (every accessor is synchronized).
 */
public final class SessionRecord {

    /** Who ended the session. */
    public enum EndedBy { CLIENT, SERVER, NETWORK, SERVER_STOPPED }

    private final String requestId;
    private final String path;
    private final Map<String, String> query;
    private final String authScheme;
    private final Fault fault;
    private final Instant opened = Instant.now();

    private long audioBytes;
    private long audioFrames;
    private double audioSeconds;
    private final List<String> controlMessages = new ArrayList<>();
    private final List<String> finalWords = new ArrayList<>();
    private int finalResults;
    private int interimResults;
    private int fromFinalizeResults;
    private boolean metadataSent;
    private double finalCoveredSeconds;
    private double flushedSeconds;
    private int closeCode = -1;
    private String closeReason = "";
    private EndedBy endedBy;
    private Instant ended;
    private final CompletableFuture<SessionRecord> end = new CompletableFuture<>();
    private final CompletableFuture<Fault> faultStruck = new CompletableFuture<>();

    SessionRecord(String requestId, String path, Map<String, String> query, String authScheme, Fault fault) {
        this.requestId = requestId;
        this.path = path;
        this.query = Collections.unmodifiableMap(query);
        this.authScheme = authScheme;
        this.fault = fault;
    }

    synchronized void audio(int bytes, double seconds) {
        audioBytes += bytes;
        audioFrames++;
        audioSeconds += seconds;
    }

    synchronized void control(String type) {
        controlMessages.add(type);
    }

    synchronized void finalResult(List<String> words, double seconds, boolean fromFinalize, boolean flush) {
        finalResults++;
        finalWords.addAll(words);
        finalCoveredSeconds += seconds;
        if (fromFinalize) {
            fromFinalizeResults++;
        }
        if (flush) {
            flushedSeconds += seconds;
        }
    }

    void faultStruck() {
        faultStruck.complete(fault);
    }

    /** Completes when the session's timed fault (half_open, reset, close, net0000) strikes. */
    public CompletableFuture<Fault> faultStruckFuture() {
        return faultStruck;
    }

    synchronized void interimResult() {
        interimResults++;
    }

    synchronized void metadata() {
        metadataSent = true;
    }

    /** The first end wins: a close frame and the connection loss that follows are one end. */
    void ended(EndedBy by, int code, String reason) {
        synchronized (this) {
            if (endedBy != null) {
                return;
            }
            endedBy = by;
            closeCode = code;
            closeReason = reason == null ? "" : reason;
            ended = Instant.now();
        }
        end.complete(this);
    }

    public String requestId() {
        return requestId;
    }

    public String path() {
        return path;
    }

    /** The handshake's query parameters (first value of each). */
    public Map<String, String> query() {
        return query;
    }

    /** {@code token}, {@code bearer} or {@code subprotocol}: how the client authenticated (never the key). */
    public String authScheme() {
        return authScheme;
    }

    public Fault fault() {
        return fault;
    }

    public Instant opened() {
        return opened;
    }

    public synchronized long audioBytes() {
        return audioBytes;
    }

    public synchronized long audioFrames() {
        return audioFrames;
    }

    public synchronized double audioSeconds() {
        return audioSeconds;
    }

    /** Text messages in the order received: KeepAlive, Finalize, CloseStream, legacy_close, invalid. */
    public synchronized List<String> controlMessages() {
        return List.copyOf(controlMessages);
    }

    /** Every word of every final result sent, in order: which audio was transcribed. */
    public synchronized List<String> finalWords() {
        return List.copyOf(finalWords);
    }

    public synchronized int finalResults() {
        return finalResults;
    }

    public synchronized int interimResults() {
        return interimResults;
    }

    public synchronized int fromFinalizeResults() {
        return fromFinalizeResults;
    }

    public synchronized boolean metadataSent() {
        return metadataSent;
    }

    /** Audio seconds covered by final results that reached the wire. */
    public synchronized double finalCoveredSeconds() {
        return finalCoveredSeconds;
    }

    /** Audio seconds covered by results produced by a Finalize or CloseStream flush. */
    public synchronized double flushedSeconds() {
        return flushedSeconds;
    }

    /** Audio seconds received but never covered by a final result sent to the client. */
    public synchronized double droppedSeconds() {
        return Math.max(0, audioSeconds - finalCoveredSeconds);
    }

    /** The close code: the client's or server's close frame, 1006 when the connection just ended. */
    public synchronized int closeCode() {
        return closeCode;
    }

    public synchronized String closeReason() {
        return closeReason;
    }

    public synchronized EndedBy endedBy() {
        return endedBy;
    }

    public synchronized boolean isEnded() {
        return endedBy != null;
    }

    public synchronized Instant endedAt() {
        return ended;
    }

    public CompletableFuture<SessionRecord> endFuture() {
        return end;
    }

    /** Waits for the session to end. */
    public SessionRecord awaitEnd(long timeout, TimeUnit unit) throws Exception {
        return end.get(timeout, unit);
    }

    /** The one line the standalone simulator logs per session end. */
    public synchronized String summary() {
        return String.format(java.util.Locale.ROOT,
                "session %s ended by %s: close %d%s, audio %.2fs in %d frames (%d bytes), control %s, "
                        + "final results %d covering %.2fs, flushed %.2fs, dropped %.2fs%s%s",
                requestId, endedBy == null ? "-" : endedBy.name().toLowerCase(java.util.Locale.ROOT), closeCode,
                closeReason.isEmpty() ? "" : " " + closeReason, audioSeconds, audioFrames, audioBytes,
                controlMessages, finalResults, finalCoveredSeconds, flushedSeconds, droppedSeconds(),
                metadataSent ? ", metadata sent" : "", fault == Fault.NONE ? "" : ", fault " + fault.id());
    }

    @Override
    public String toString() {
        return summary();
    }
}
