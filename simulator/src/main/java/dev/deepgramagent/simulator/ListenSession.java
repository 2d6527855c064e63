package dev.deepgramagent.simulator;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One {@code /v1/listen} session after the handshake. Everything runs on the channel's event loop,
 * so the state needs no locks; {@link SessionRecord} is what other threads read.
 *
 * <p>The transcription model is deterministic: each non-silent binary frame is one word, named
 * {@code chunk-<n>} when the frame starts with the test marker {@code "DGSQ"} + a 4-byte
 * big-endian sequence number, else {@code frame-<index>}. A frame of zero bytes only is silence.
 * Final results cover whole frames and are sent {@code latency} after the audio that completes
 * them arrived.
 */
final class ListenSession extends SimpleChannelInboundHandler<WebSocketFrame> {

    static final byte[] MARKER = {'D', 'G', 'S', 'Q'};

    private final SessionSettings settings;
    private final SessionRecord record;
    private final boolean logEnd;
    private final long closeHandshakeMillis;
    private final MessageDigest sha256;

    private ChannelHandlerContext ctx;
    private final Set<ScheduledFuture<?>> scheduled = new HashSet<>();
    private long lastEmitNanos;
    private long lastActivityNanos;
    private boolean closing;
    private boolean halfOpen;

    // Audio state, in audio seconds since the start of the stream.
    private double audioTime;
    private long frameIndex;
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
        this.settings = settings;
        this.record = record;
        this.logEnd = logEnd;
        this.closeHandshakeMillis = closeHandshakeMillis;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        ctx = context;
        lastActivityNanos = System.nanoTime();
        lastEmitNanos = lastActivityNanos;
        scheduleIdleCheck(settings.idleTimeout.toNanos());
        Fault f = settings.fault;
        if (f == Fault.PROCESSING_TIMEOUT) {
            after(settings.faultAfter.toNanos(), () -> {
                record.faultStruck();
                serverClose(1011, "NET-0000");
            });
        } else if (f == Fault.CLOSE) {
            after(settings.faultAfter.toNanos(), () -> {
                record.faultStruck();
                serverClose(settings.closeCode, settings.closeReason);
            });
        } else if (f == Fault.HALF_OPEN) {
            after(settings.faultAfter.toNanos(), this::goHalfOpen);
        } else if (f == Fault.RESET && settings.resetAfterBytes < 0) {
            after(settings.faultAfter.toNanos(), this::reset);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, WebSocketFrame frame) {
        if (closing || halfOpen) {
            if (frame instanceof CloseWebSocketFrame && closing) {
                context.close();
            }
            return;
        }
        if (frame instanceof BinaryWebSocketFrame) {
            onAudio(frame.content());
        } else if (frame instanceof TextWebSocketFrame) {
            onText(((TextWebSocketFrame) frame).text());
        } else if (frame instanceof CloseWebSocketFrame) {
            onClientClose((CloseWebSocketFrame) frame);
        } else if (frame instanceof PingWebSocketFrame) {
            // Pings keep TCP alive but, as at Deepgram, do not reset the idle timer.
            context.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        }
    }

    private void onAudio(ByteBuf content) {
        lastActivityNanos = System.nanoTime();
        int bytes = content.readableBytes();
        if (bytes == 0) {
            // Deprecated way to ask for the end of the stream: same as CloseStream.
            record.control("legacy_close");
            closeStream();
            return;
        }
        if (settings.fault == Fault.BAD_AUDIO || (settings.rawEncoding() && frameIndex > 0 && looksLikeContainer(content))) {
            serverClose(1008, "DATA-0000");
            return;
        }
        byte[] data = new byte[bytes];
        content.getBytes(content.readerIndex(), data);
        sha256.update(data);
        double seconds = settings.secondsOf(bytes);
        record.audio(bytes, seconds);
        double start = audioTime;
        audioTime += seconds;
        long index = frameIndex++;

        if (settings.fault == Fault.RESET && settings.resetAfterBytes >= 0 && record.audioBytes() >= settings.resetAfterBytes) {
            reset();
            return;
        }
        boolean silent = isSilence(data);
        if (silent) {
            onSilence(start);
        } else {
            if (!inSpeech) {
                inSpeech = true;
                utteranceEndSent = false;
                if (settings.vadEvents) {
                    emit(json().append("{\"type\":\"SpeechStarted\",\"channel\":[0],\"timestamp\":").append(round(start)).append('}').toString(), null);
                }
            }
            if (pending.isEmpty()) {
                pendingStart = start;
            }
            pending.add(new Word(wordFor(data, index), start, audioTime));
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

    private void onText(String text) {
        lastActivityNanos = System.nanoTime();
        String type = JsonSyntax.isValid(text) ? JsonSyntax.topLevelString(text, "type") : null;
        if (type == null) {
            record.control("invalid");
            invalidMessage("Could not parse the message as a JSON control message");
            return;
        }
        switch (type) {
            case "KeepAlive":
                record.control("KeepAlive");
                return;
            case "Finalize":
                record.control("Finalize");
                if (settings.fault != Fault.IGNORE_FINALIZE) {
                    flush(true, false);
                }
                return;
            case "CloseStream":
                record.control("CloseStream");
                closeStream();
                return;
            default:
                record.control("invalid");
                invalidMessage("Unknown message type");
        }
    }

    /** Undocumented at Deepgram; the simulator answers with an Error message and close 1008. */
    private void invalidMessage(String description) {
        cancelScheduled();
        ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"Error\",\"err_code\":\"INVALID_MESSAGE\",\"err_msg\":\"" + description + "\"}"));
        serverClose(1008, "INVALID_MESSAGE");
    }

    private void closeStream() {
        flush(false, true);
    }

    /** Finalize (fromFinalize) or CloseStream (then Metadata and close 1000). */
    private void flush(boolean fromFinalize, boolean thenClose) {
        long delay = (settings.fault == Fault.SLOW_FLUSH ? settings.flushDelay : settings.latency).toNanos();
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

    private void onClientClose(CloseWebSocketFrame frame) {
        int code = frame.statusCode();
        String reason = frame.reasonText();
        // As at Deepgram: a client close frame ends the session at once; unflushed audio is dropped.
        cancelScheduled();
        closing = true;
        record.ended(SessionRecord.EndedBy.CLIENT, code, reason);
        CloseWebSocketFrame reply = code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, reason);
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    /** Sends a close frame, then closes the connection when the client answers or after a timeout. */
    void serverClose(int code, String reason) {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        cancelScheduled();
        closing = true;
        record.ended(SessionRecord.EndedBy.SERVER, code, reason);
        ctx.writeAndFlush(new CloseWebSocketFrame(code, reason));
        ctx.executor().schedule(() -> {
            ctx.close();
        }, closeHandshakeMillis, TimeUnit.MILLISECONDS);
    }

    private void reset() {
        record.faultStruck();
        cancelScheduled();
        closing = true;
        record.ended(SessionRecord.EndedBy.NETWORK, 1006, "reset by simulator");
        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        ctx.channel().close();
    }

    private void goHalfOpen() {
        cancelScheduled();
        halfOpen = true;
        ctx.channel().config().setAutoRead(false);
        record.faultStruck();
    }

    private void scheduleIdleCheck(long delayNanos) {
        after(delayNanos, () -> {
            long idle = System.nanoTime() - lastActivityNanos;
            long timeout = settings.idleTimeout.toNanos();
            if (idle >= timeout) {
                serverClose(1011, "NET-0001");
            } else {
                scheduleIdleCheck(timeout - idle);
            }
        });
    }

    private void after(long delayNanos, Runnable task) {
        ScheduledFuture<?>[] holder = new ScheduledFuture<?>[1];
        holder[0] = ctx.executor().schedule(() -> {
            scheduled.remove(holder[0]);
            if (!closing && !halfOpen) {
                task.run();
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
        scheduled.add(holder[0]);
    }

    private void emit(String payload, Runnable onSent) {
        emitAfter(settings.latency.toNanos(), payload, onSent);
    }

    /** Results leave in the order they were produced, each no earlier than {@code delay} from now. */
    private void emitAfter(long delayNanos, String payload, Runnable onSent) {
        long now = System.nanoTime();
        long at = Math.max(now + delayNanos, lastEmitNanos);
        lastEmitNanos = at;
        after(at - now, () -> {
            ctx.writeAndFlush(new TextWebSocketFrame(payload));
            if (onSent != null) {
                onSent.run();
            }
        });
    }

    private void cancelScheduled() {
        for (ScheduledFuture<?> f : scheduled) {
            f.cancel(false);
        }
        scheduled.clear();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        cancelScheduled();
        record.ended(SessionRecord.EndedBy.NETWORK, 1006, "connection closed without a close frame");
        if (logEnd) {
            System.err.println("deepgram-simulator: " + record.summary());
        }
        context.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException) {
            // Netty's decoder has already answered with its close frame (1009 for oversized frames).
            int code = ((CorruptedWebSocketFrameException) cause).closeStatus().code();
            record.ended(SessionRecord.EndedBy.SERVER, code, cause.getMessage());
        } else {
            record.ended(SessionRecord.EndedBy.NETWORK, 1006, cause.getClass().getSimpleName());
        }
        cancelScheduled();
        context.close();
    }

    // ---- model ------------------------------------------------------------------------------

    static boolean isSilence(byte[] data) {
        for (byte b : data) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    static String wordFor(byte[] data, long index) {
        if (data.length >= 8 && data[0] == MARKER[0] && data[1] == MARKER[1] && data[2] == MARKER[2] && data[3] == MARKER[3]) {
            long seq = ((data[4] & 0xFFL) << 24) | ((data[5] & 0xFF) << 16) | ((data[6] & 0xFF) << 8) | (data[7] & 0xFF);
            return "chunk-" + seq;
        }
        return "frame-" + index;
    }

    private static boolean looksLikeContainer(ByteBuf b) {
        if (b.readableBytes() < 4) {
            return false;
        }
        int i = b.readerIndex();
        int magic = b.getInt(i);
        return magic == 0x52494646 /* RIFF */ || magic == 0x4F676753 /* OggS */ || magic == 0x1A45DFA3 /* WebM */;
    }

    private static List<String> words(List<Word> ws) {
        List<String> out = new ArrayList<>(ws.size());
        for (Word w : ws) {
            out.add(w.text);
        }
        return out;
    }

    private String resultJson(List<Word> ws, double start, double duration, boolean isFinal, boolean speechFinal, boolean fromFinalize) {
        StringBuilder sb = json();
        StringBuilder transcript = new StringBuilder();
        for (Word w : ws) {
            transcript.append(transcript.length() == 0 ? "" : " ").append(w.text);
        }
        sb.append("{\"type\":\"Results\",\"channel_index\":[0,1],\"duration\":").append(round(duration))
                .append(",\"start\":").append(round(start))
                .append(",\"is_final\":").append(isFinal)
                .append(",\"speech_final\":").append(speechFinal)
                .append(",\"from_finalize\":").append(fromFinalize)
                .append(",\"channel\":{\"alternatives\":[{\"transcript\":\"").append(transcript)
                .append("\",\"confidence\":").append(ws.isEmpty() ? "0.0" : "0.99").append(",\"words\":[");
        for (int i = 0; i < ws.size(); i++) {
            Word w = ws.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"word\":\"").append(w.text).append("\",\"start\":").append(round(w.start))
                    .append(",\"end\":").append(round(w.end)).append(",\"confidence\":0.99,\"punctuated_word\":\"")
                    .append(w.text).append("\"}");
        }
        sb.append("]}]},\"metadata\":{\"request_id\":\"").append(record.requestId())
                .append("\",\"model_info\":{\"name\":\"").append(settings.model)
                .append("\",\"version\":\"simulator\",\"arch\":\"simulator\"},\"model_uuid\":\"00000000-0000-0000-0000-000000000000\"}}");
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
                + "\"model_info\":{\"00000000-0000-0000-0000-000000000000\":{\"name\":\"" + settings.model
                + "\",\"version\":\"simulator\",\"arch\":\"simulator\"}}}";
    }

    private static StringBuilder json() {
        return new StringBuilder(256);
    }

    private static String round(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }
}
