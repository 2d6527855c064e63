package dev.deepgramagent.simulator;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code /v2/listen} (Flux) session after the handshake, on the channel's event loop.
 *
 * <p>The turn model is deterministic and uses the same words and silence rule as v1: a non-silent
 * frame with no active turn starts one ({@code StartOfTurn}); {@code sim_eot_silence} of consecutive
 * silent audio ends it ({@code EndOfTurn}, trigger {@code model}), or {@code eot_timeout_ms} when that
 * is shorter (trigger {@code timeout}); {@code ForceEndTurn} ends it at once (trigger {@code manual}).
 * An {@code Update} goes out at every 0.25 s of audio, in and out of turns. Every message leaves
 * {@code latency} after the audio or message that produced it, in order.
 */
final class FluxSession extends DeepgramSession {

    static final double UPDATE_INTERVAL = 0.25;
    private static final double EPS = 1e-9;

    private long nextSequence;
    private boolean inTurn;
    private int turnIndex;                    // the active turn's, or between turns the next one's
    private double turnStart;
    private final List<String> turnWords = new ArrayList<>();
    private double turnSpeech;                // seconds of non-silent audio in the turn
    private double lastSpeechEnd;
    private double lastWindowEnd;             // audio_window_end of the last TurnInfo produced
    private double nextUpdateAt = UPDATE_INTERVAL;
    private boolean closeRequested;

    private double eotThreshold;
    private double eagerEotThreshold;
    private int eotTimeoutMs;

    FluxSession(SessionSettings settings, SessionRecord record, boolean logEnd, long closeHandshakeMillis) {
        super(settings, record, logEnd, closeHandshakeMillis);
        eotThreshold = settings.eotThreshold;
        eagerEotThreshold = settings.eagerEotThreshold;
        eotTimeoutMs = settings.eotTimeoutMs;
    }

    @Override
    void opened() {
        ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"Connected\",\"request_id\":\"" + record.requestId()
                + "\",\"sequence_id\":" + nextSequence++ + "}"));
    }

    @Override
    boolean pingsResetIdle() {
        return true; // Flux keeps idle connections alive with WebSocket pings
    }

    // ---- audio ------------------------------------------------------------------------------

    @Override
    void onAudio(ByteBuf content) {
        if (closeRequested || content.readableBytes() == 0) {
            return; // after CloseStream nothing more is processed; an empty frame means nothing on Flux
        }
        Chunk chunk = intake(content);
        if (chunk == null) {
            return;
        }
        if (!chunk.silent()) {
            record.speech(chunk.seconds());
            turnSpeech += chunk.seconds();
            turnWords.add(chunk.word);
            lastSpeechEnd = chunk.end;
            if (!inTurn) {
                inTurn = true;
                turnStart = chunk.start;
                turnSpeech = chunk.seconds();
                lastWindowEnd = chunk.end;
                emit(turnInfo("StartOfTurn", turnStart, chunk.end, turnWords, 0.0, null), null);
            }
        } else if (inTurn && audioTime - lastSpeechEnd >= eotWindow() - EPS) {
            endTurn(timeoutEndsTurns() ? "timeout" : "model", lastSpeechEnd, settings.latency.toNanos());
        }
        if (audioTime >= nextUpdateAt - EPS) {
            while (nextUpdateAt <= audioTime + EPS) {
                nextUpdateAt += UPDATE_INTERVAL;
            }
            emit(update(), null);
        }
    }

    /** Seconds of silence that end a turn: the simulator's model window, or eot_timeout_ms when shorter. */
    private double eotWindow() {
        return Math.min(settings.eotSilence.toMillis() / 1000.0, eotTimeoutMs / 1000.0);
    }

    private boolean timeoutEndsTurns() {
        return eotTimeoutMs < settings.eotSilence.toMillis();
    }

    /** Rises linearly with the silence since the turn's last word, reaching eot_threshold at the end of the turn. */
    private double endOfTurnConfidence() {
        if (!inTurn) {
            return 0.0;
        }
        return eotThreshold * Math.min(1.0, Math.max(0.0, audioTime - lastSpeechEnd) / eotWindow());
    }

    /** An Update covering the active turn so far, or, between turns, the audio since the last covered window. */
    private String update() {
        double start = inTurn ? turnStart : lastWindowEnd;
        String json = turnInfo("Update", start, audioTime, inTurn ? turnWords : List.of(), endOfTurnConfidence(), null);
        lastWindowEnd = audioTime;
        return json;
    }

    private void endTurn(String trigger, double end, long delayNanos) {
        boolean manual = trigger.equals("manual");
        List<String> words = List.copyOf(turnWords);
        double speech = turnSpeech;
        String json = turnInfo("EndOfTurn", turnStart, end, words, manual ? endOfTurnConfidence() : eotThreshold, trigger);
        inTurn = false;
        turnIndex++;
        turnWords.clear();
        turnSpeech = 0;
        lastWindowEnd = end;
        emitAfter(delayNanos, json, () -> record.endOfTurn(words, speech, manual));
    }

    // ---- text messages ----------------------------------------------------------------------

    @Override
    void onMessage(String type, Map<String, Object> message) {
        if (closeRequested) {
            return;
        }
        switch (type) {
            case "ForceEndTurn":
                forceEndTurn();
                return;
            case "CloseStream":
                closeStream();
                return;
            case "Configure":
                configure(message);
                return;
            case "KeepAlive":
            case "Finalize":
                invalidMessage("UnknownMessageType", type + " is a /v1/listen message; /v2/listen does not accept it"
                        + ("KeepAlive".equals(type) ? " (Flux keeps connections alive with WebSocket pings)" : " (use ForceEndTurn)"));
                return;
            default:
                invalidMessage("UnknownMessageType", "Unknown message type for /v2/listen: " + type);
        }
    }

    private void forceEndTurn() {
        if (settings.fault == Fault.IGNORE_FINALIZE) {
            return;
        }
        if (!inTurn) {
            emitAfter(flushDelayNanos(), "{\"type\":\"Warning\",\"code\":\"NO_ACTIVE_TURN\",\"description\":"
                    + "\"ForceEndTurn ignored: there is no active turn\"}", null);
            return;
        }
        endTurn("manual", audioTime, flushDelayNanos());
    }

    /** Does not finish the active turn: one last Update covering everything received, then a close without a status code. */
    private void closeStream() {
        closeRequested = true;
        emit(update(), () -> serverClose(NO_STATUS_CODE, ""));
    }

    private void configure(Map<String, Object> message) {
        double eot = eotThreshold;
        double eager = eagerEotThreshold;
        int timeout = eotTimeoutMs;
        String problem = null;
        if (message.containsKey("thresholds")) {
            Object t = message.get("thresholds");
            if (!(t instanceof Map)) {
                problem = "thresholds must be an object";
            } else {
                Map<?, ?> th = (Map<?, ?>) t;
                if (th.containsKey("eot_threshold")) {
                    if (SessionSettings.inRange(th.get("eot_threshold"), 0.5, 1.0)) {
                        eot = (Double) th.get("eot_threshold");
                    } else {
                        problem = "eot_threshold must be a number from 0.5 to 1.0";
                    }
                }
                if (th.containsKey("eager_eot_threshold")) {
                    if (SessionSettings.inRange(th.get("eager_eot_threshold"), 0.3, 0.9)) {
                        eager = (Double) th.get("eager_eot_threshold");
                    } else {
                        problem = "eager_eot_threshold must be a number from 0.3 to 0.9";
                    }
                }
                if (th.containsKey("eot_timeout_ms")) {
                    Object v = th.get("eot_timeout_ms");
                    if (SessionSettings.inRange(v, 500, 60000) && (Double) v == Math.rint((Double) v)) {
                        timeout = (int) (double) (Double) v;
                    } else {
                        problem = "eot_timeout_ms must be an integer from 500 to 60000";
                    }
                }
            }
        }
        if (problem == null && eager > eot) {
            problem = "eager_eot_threshold must not be above eot_threshold";
        }
        if (problem == null && message.containsKey("keyterms") && !isStringArray(message.get("keyterms"))) {
            problem = "keyterms must be an array of strings";
        }
        if (problem != null) {
            emit("{\"type\":\"ConfigureFailure\",\"request_id\":\"" + record.requestId() + "\",\"description\":"
                    + JsonSyntax.quote(problem) + "}", () -> record.configureAnswer("ConfigureFailure"));
            return;
        }
        eotThreshold = eot;
        eagerEotThreshold = eager;
        eotTimeoutMs = timeout;
        emit("{\"type\":\"ConfigureSuccess\",\"request_id\":\"" + record.requestId() + "\",\"sequence_id\":" + nextSequence++ + "}",
                () -> record.configureAnswer("ConfigureSuccess"));
    }

    // ---- messages ---------------------------------------------------------------------------

    private String turnInfo(String event, double start, double end, List<String> words, double confidence, String trigger) {
        StringBuilder sb = new StringBuilder(160 + words.size() * 40);
        sb.append("{\"type\":\"TurnInfo\",\"request_id\":\"").append(record.requestId())
                .append("\",\"sequence_id\":").append(nextSequence++)
                .append(",\"event\":\"").append(event)
                .append("\",\"turn_index\":").append(turnIndex)
                .append(",\"audio_window_start\":").append(round(start))
                .append(",\"audio_window_end\":").append(round(end))
                .append(",\"transcript\":\"").append(join(words))
                .append("\",\"words\":[");
        for (int i = 0; i < words.size(); i++) {
            sb.append(i == 0 ? "" : ",").append("{\"word\":\"").append(words.get(i)).append("\",\"confidence\":0.99}");
        }
        sb.append("],\"end_of_turn_confidence\":").append(round(confidence));
        if (trigger != null) {
            sb.append(",\"trigger\":\"").append(trigger).append('"');
        }
        return sb.append('}').toString();
    }
}
