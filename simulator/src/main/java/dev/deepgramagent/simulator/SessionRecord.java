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
    private int pings;
    private double speechSeconds;
    private int endOfTurns;
    private int manualEndOfTurns;
    private final List<String> configureAnswers = new ArrayList<>();
    private final List<String> errorsSent = new ArrayList<>();
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

    /** Flux: the words of an EndOfTurn that reached the wire, and the seconds of speech they cover. */
    synchronized void endOfTurn(List<String> words, double seconds, boolean manual) {
        endOfTurns++;
        if (manual) {
            manualEndOfTurns++;
        }
        finalWords.addAll(words);
        finalCoveredSeconds += seconds;
    }

    /** Flux: seconds of non-silent audio received. */
    synchronized void speech(double seconds) {
        speechSeconds += seconds;
    }

    synchronized void ping() {
        pings++;
    }

    synchronized void configureAnswer(String type) {
        configureAnswers.add(type);
    }

    synchronized void errorSent(String variant) {
        errorsSent.add(variant);
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

    /**
     * Text messages in the order received, by their {@code type} (KeepAlive, Finalize, CloseStream,
     * Configure, ForceEndTurn, and rejected ones such as an unknown type or a v1 message on /v2),
     * {@code legacy_close} for v1's empty binary frame, {@code invalid} for malformed JSON or JSON
     * without a string {@code type}.
     */
    public synchronized List<String> controlMessages() {
        return List.copyOf(controlMessages);
    }

    /**
     * Every word of every final result sent, in order: which audio was transcribed. For Flux
     * ({@code /v2/listen}): every word of every {@code EndOfTurn} that reached the wire.
     */
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

    /**
     * Audio seconds received but never covered by a final result sent to the client. For Flux:
     * seconds of speech (non-silent frames) whose words never reached the client in an EndOfTurn.
     */
    public synchronized double droppedSeconds() {
        return Math.max(0, (isFlux() ? speechSeconds : audioSeconds) - finalCoveredSeconds);
    }

    /** True for a {@code /v2/listen} (Flux) session. */
    public boolean isFlux() {
        return "/v2/listen".equals(path);
    }

    /** WebSocket pings received (answered with pongs; on Flux they also reset the idle timer). */
    public synchronized int pings() {
        return pings;
    }

    /** Flux: EndOfTurn messages that reached the wire, whatever their trigger. */
    public synchronized int endOfTurns() {
        return endOfTurns;
    }

    /** Flux: EndOfTurn messages with {@code trigger: "manual"} (answers to ForceEndTurn) that reached the wire. */
    public synchronized int manualEndOfTurns() {
        return manualEndOfTurns;
    }

    /** Answers to Configure that reached the wire, in order: {@code ConfigureSuccess} or {@code ConfigureFailure}. */
    public synchronized List<String> configureAnswers() {
        return List.copyOf(configureAnswers);
    }

    /** The {@code variant} of every Error message sent, in order. */
    public synchronized List<String> errorsSent() {
        return List.copyOf(errorsSent);
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
        String results = isFlux()
                ? String.format(java.util.Locale.ROOT, "flux end of turns %d (%d manual) covering %.2fs of speech, dropped %.2fs",
                        endOfTurns, manualEndOfTurns, finalCoveredSeconds, droppedSeconds())
                : String.format(java.util.Locale.ROOT, "final results %d covering %.2fs, flushed %.2fs, dropped %.2fs",
                        finalResults, finalCoveredSeconds, flushedSeconds, droppedSeconds());
        return String.format(java.util.Locale.ROOT,
                "session %s ended by %s: close %d%s, audio %.2fs in %d frames (%d bytes), control %s, %s%s%s%s%s%s",
                requestId, endedBy == null ? "-" : endedBy.name().toLowerCase(java.util.Locale.ROOT), closeCode,
                closeReason.isEmpty() ? "" : " " + closeReason, audioSeconds, audioFrames, audioBytes,
                controlMessages.toString().replaceAll("\\p{Cntrl}", "?"), results,
                metadataSent ? ", metadata sent" : "",
                configureAnswers.isEmpty() ? "" : ", configure " + configureAnswers,
                errorsSent.isEmpty() ? "" : ", errors " + errorsSent,
                pings == 0 ? "" : ", pings " + pings,
                fault == Fault.NONE ? "" : ", fault " + fault.id());
    }

    @Override
    public String toString() {
        return summary();
    }
}
