package dev.deepgramagent.simulator;

import io.netty.buffer.ByteBuf;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code /v1/listen} session after the handshake, on the channel's event loop.
 *
 * <p>The transcription model is deterministic: each non-silent binary frame is one word, named
 * {@code chunk-<n>} when the frame starts with the test marker {@code "DGSQ"} + a 4-byte
 * big-endian sequence number, else {@code frame-<index>}. A frame of zero bytes only is silence.
 * Final results cover whole frames and are sent {@code latency} after the audio that completes
 * them arrived.
 */
final class ListenSession extends DeepgramSession {

    private final List<Word> pending = new ArrayList<>();
    private double pendingStart;
    private double lastInterimEnd;
    private boolean inSpeech;
    private double lastWordEnd = -1;
    private boolean utteranceEndSent = true;

    private static final class Word {
        final String text;
        final double start;
        final double end;

        Word(String text, double start, double end) {
            this.text = text;
            this.start = start;
            this.end = end;
        }
    }

    ListenSession(SessionSettings settings, SessionRecord record, boolean logEnd, long closeHandshakeMillis) {
        super(settings, record, logEnd, closeHandshakeMillis);
    }

    @Override
    boolean pingsResetIdle() {
        return false; // pings keep TCP alive but, as at Deepgram, do not reset the idle timer
    }

    @Override
    void onAudio(ByteBuf content) {
        if (content.readableBytes() == 0) {
            // Deprecated way to ask for the end of the stream: same as CloseStream.
            record.control("legacy_close");
            closeStream();
            return;
        }
        Chunk chunk = intake(content);
        if (chunk == null) {
            return;
        }
        double start = chunk.start;
        if (chunk.silent()) {
            onSilence(start);
        } else {
            if (!inSpeech) {
                inSpeech = true;
                utteranceEndSent = false;
                if (settings.vadEvents) {
                    emit("{\"type\":\"SpeechStarted\",\"channel\":[0],\"timestamp\":" + round(start) + "}", null);
                }
            }
            if (pending.isEmpty()) {
                pendingStart = start;
            }
            pending.add(new Word(chunk.word, start, audioTime));
            lastWordEnd = audioTime;
        }
        if (!pending.isEmpty() && audioTime - pendingStart >= settings.segment.toMillis() / 1000.0 - 1e-9) {
            sendFinal(false, false, false);
        } else if (settings.interimResults && !pending.isEmpty() && audioTime - lastInterimEnd >= 0.5 - 1e-9) {
            sendInterim();
        }
    }

    private void onSilence(double start) {
        if (!pending.isEmpty()) {
            sendFinal(true, false, false); // endpoint: speech followed by silence
        }
        if (inSpeech && settings.utteranceEndMs > 0 && !utteranceEndSent && lastWordEnd >= 0
                && audioTime - lastWordEnd >= settings.utteranceEndMs / 1000.0 - 1e-9) {
            utteranceEndSent = true;
            inSpeech = false;
            emit("{\"type\":\"UtteranceEnd\",\"channel\":[0,1],\"last_word_end\":" + round(lastWordEnd) + "}", null);
        } else if (settings.utteranceEndMs == 0) {
            inSpeech = false;
        }
        if (pending.isEmpty()) {
            pendingStart = audioTime;
        }
    }

    @Override
    void onMessage(String type, Map<String, Object> message) {
        switch (type) {
            case "KeepAlive":
                return;
            case "Finalize":
                if (settings.fault != Fault.IGNORE_FINALIZE) {
                    flush(true, false);
                }
                return;
            case "CloseStream":
                closeStream();
                return;
            case "Configure":
                configure(message);
                return;
            default:
                invalidMessage("UnknownMessageType", "Unknown message type for /v1/listen: " + type);
        }
    }

    /**
     * Exactly one ConfigureSuccess or ConfigureFailure, in order with the results. Keyterms on a
     * model other than Nova-3 also get an Error (the stream goes on).
     */
    private void configure(Map<String, Object> message) {
        boolean nova3 = settings.model.startsWith("nova-3");
        boolean hasKeyterms = message.containsKey("keyterms");
        if (hasKeyterms && !nova3) {
            emitError("InvalidConfigureMessage", "Keyterms are not supported by model " + settings.model, "UNSUPPORTED_FEATURE");
            configureFailure("Keyterms are not supported by model " + settings.model);
        } else if (hasKeyterms && !isStringArray(message.get("keyterms"))) {
            configureFailure("keyterms must be an array of strings");
        } else if (message.containsKey("features") && !(message.get("features") instanceof Map)) {
            configureFailure("features must be an object");
        } else if (!nova3) {
            configureFailure("Configure is not supported by model " + settings.model);
        } else {
            emit("{\"type\":\"ConfigureSuccess\",\"request_id\":\"" + record.requestId() + "\"}",
                    () -> record.configureAnswer("ConfigureSuccess"));
        }
    }

    private void configureFailure(String description) {
        emit("{\"type\":\"ConfigureFailure\",\"request_id\":\"" + record.requestId() + "\",\"description\":"
                + JsonSyntax.quote(description) + "}", () -> record.configureAnswer("ConfigureFailure"));
    }

    private void closeStream() {
        flush(false, true);
    }

    /** Finalize (fromFinalize) or CloseStream (then Metadata and close 1000). */
    private void flush(boolean fromFinalize, boolean thenClose) {
        long delay = flushDelayNanos();
        double seconds = pending.isEmpty() ? 0 : audioTime - pendingStart;
        String payload = resultJson(pending, pending.isEmpty() ? audioTime : pendingStart, seconds, true, true, fromFinalize);
        List<String> words = words(pending);
        pending.clear();
        pendingStart = audioTime;
        lastInterimEnd = audioTime;
        emitAfter(delay, payload, () -> record.finalResult(words, seconds, fromFinalize, true));
        if (thenClose) {
            String metadata = metadataJson();
            emitAfter(delay, metadata, () -> {
                record.metadata();
                serverClose(1000, "");
            });
        }
    }

    private void sendFinal(boolean speechFinal, boolean fromFinalize, boolean flush) {
        double seconds = audioTime - pendingStart;
        String payload = resultJson(pending, pendingStart, seconds, true, speechFinal, fromFinalize);
        List<String> words = words(pending);
        pending.clear();
        pendingStart = audioTime;
        lastInterimEnd = audioTime;
        emit(payload, () -> record.finalResult(words, seconds, fromFinalize, flush));
    }

    private void sendInterim() {
        lastInterimEnd = audioTime;
        emit(resultJson(pending, pendingStart, audioTime - pendingStart, false, false, false), record::interimResult);
    }

    // ---- messages ---------------------------------------------------------------------------

    private static List<String> words(List<Word> ws) {
        List<String> out = new ArrayList<>(ws.size());
        for (Word w : ws) {
            out.add(w.text);
        }
        return out;
    }

    private String resultJson(List<Word> ws, double start, double duration, boolean isFinal, boolean speechFinal, boolean fromFinalize) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"type\":\"Results\",\"channel_index\":[0,1],\"duration\":").append(round(duration))
                .append(",\"start\":").append(round(start))
                .append(",\"is_final\":").append(isFinal)
                .append(",\"speech_final\":").append(speechFinal)
                .append(",\"from_finalize\":").append(fromFinalize)
                .append(",\"channel\":{\"alternatives\":[{\"transcript\":\"").append(join(words(ws)))
                .append("\",\"confidence\":").append(ws.isEmpty() ? "0.0" : "0.99").append(",\"words\":[");
        for (int i = 0; i < ws.size(); i++) {
            Word w = ws.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"word\":\"").append(w.text).append("\",\"start\":").append(round(w.start))
                    .append(",\"end\":").append(round(w.end)).append(",\"confidence\":0.99,\"punctuated_word\":\"")
                    .append(w.text).append("\"}");
        }
        sb.append("]}]},\"metadata\":{\"request_id\":\"").append(record.requestId())
                .append("\",\"model_info\":{\"name\":").append(JsonSyntax.quote(settings.model))
                .append(",\"version\":\"simulator\",\"arch\":\"simulator\"},\"model_uuid\":\"00000000-0000-0000-0000-000000000000\"}}");
        return sb.toString();
    }

    private String metadataJson() {
        StringBuilder hex = new StringBuilder();
        for (byte b : sha256.digest()) {
            hex.append(String.format("%02x", b));
        }
        return "{\"type\":\"Metadata\",\"transaction_key\":\"deprecated\",\"request_id\":\"" + record.requestId()
                + "\",\"sha256\":\"" + hex + "\",\"created\":\"" + Instant.now() + "\",\"duration\":" + round(audioTime)
                + ",\"channels\":" + settings.channels + ",\"models\":[\"00000000-0000-0000-0000-000000000000\"],"
                + "\"model_info\":{\"00000000-0000-0000-0000-000000000000\":{\"name\":" + JsonSyntax.quote(settings.model)
                + ",\"version\":\"simulator\",\"arch\":\"simulator\"}}}";
    }
}
