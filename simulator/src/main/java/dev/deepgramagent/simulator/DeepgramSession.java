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

import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What {@code /v1/listen} ({@link ListenSession}) and {@code /v2/listen} ({@link FluxSession})
 * share: timed faults, the idle timer, audio intake with the deterministic word model, ordered
 * delayed output, Error frames and every way a session ends. Everything runs on the channel's event
 * loop, so the state needs no locks; {@link SessionRecord} is what other threads read.
 */
abstract class DeepgramSession extends SimpleChannelInboundHandler<WebSocketFrame> {

    static final byte[] MARKER = {'D', 'G', 'S', 'Q'};

    /** Close code recorded, and no status code sent, for Flux's normal end. */
    static final int NO_STATUS_CODE = 1005;

    final SessionSettings settings;
    final SessionRecord record;
    private final boolean logEnd;
    private final long closeHandshakeMillis;
    final MessageDigest sha256;

    volatile ChannelHandlerContext ctx; // set on the event loop; endOpenSessions() reads it from another thread
    private final Set<ScheduledFuture<?>> scheduled = new HashSet<>();
    private long lastEmitNanos;
    private long lastActivityNanos;
    // Written on the session's event loop; volatile for endOpenSessions(), which reads them from the caller's thread.
    volatile boolean closing;
    volatile boolean halfOpen;

    /** Audio seconds since the start of the stream, and binary frames received. */
    double audioTime;
    long frameIndex;

    /** One binary frame of audio, as the word model sees it. */
    static final class Chunk {
        final String word;       // null for silence
        final double start;
        final double end;

        Chunk(String word, double start, double end) {
            this.word = word;
            this.start = start;
            this.end = end;
        }

        boolean silent() {
            return word == null;
        }

        double seconds() {
            return end - start;
        }
    }

    DeepgramSession(SessionSettings settings, SessionRecord record, boolean logEnd, long closeHandshakeMillis) {
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

    // ---- what the endpoints define ----------------------------------------------------------

    /** Called once the session is in the pipeline (the 101 response is already written). */
    void opened() {
    }

    /** A binary frame (possibly empty). */
    abstract void onAudio(ByteBuf content);

    /** A text frame that is a JSON object with a string {@code type} (already recorded). */
    abstract void onMessage(String type, Map<String, Object> message);

    /** Whether a WebSocket ping resets the idle timer (Flux: yes; v1: no, as at Deepgram). */
    abstract boolean pingsResetIdle();

    // ---- frames -----------------------------------------------------------------------------

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
        opened();
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
            lastActivityNanos = System.nanoTime();
            onAudio(frame.content());
        } else if (frame instanceof TextWebSocketFrame) {
            lastActivityNanos = System.nanoTime();
            onText(((TextWebSocketFrame) frame).text());
        } else if (frame instanceof CloseWebSocketFrame) {
            onClientClose((CloseWebSocketFrame) frame);
        } else if (frame instanceof PingWebSocketFrame) {
            record.ping();
            if (pingsResetIdle()) {
                lastActivityNanos = System.nanoTime();
            }
            context.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        }
    }

    @SuppressWarnings("unchecked")
    private void onText(String text) {
        Object json;
        try {
            json = JsonSyntax.parse(text);
        } catch (IllegalArgumentException e) {
            json = null;
        }
        Object type = json instanceof Map ? ((Map<?, ?>) json).get("type") : null;
        if (!(type instanceof String)) {
            record.control("invalid");
            invalidMessage("UnparsableClientMessage", "Could not parse the message as a JSON object with a string \"type\"");
            return;
        }
        record.control((String) type);
        onMessage((String) type, (Map<String, Object>) json);
    }

    /**
     * Audio intake shared by both endpoints: the bad_audio fault and container bytes inside a raw
     * stream (close 1008 DATA-0000), the record, the audio clock, the reset-after-bytes fault.
     * Returns null when the frame ended the session.
     */
    Chunk intake(ByteBuf content) {
        int bytes = content.readableBytes();
        if (settings.fault == Fault.BAD_AUDIO || (settings.rawEncoding() && frameIndex > 0 && looksLikeContainer(content))) {
            serverClose(1008, "DATA-0000");
            return null;
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
            return null;
        }
        return new Chunk(isSilence(data) ? null : wordFor(data, index), start, audioTime);
    }

    // ---- errors and ends --------------------------------------------------------------------

    static String errorJson(String variant, String description, String code) {
        return "{\"type\":\"Error\",\"variant\":" + JsonSyntax.quote(variant) + ",\"description\":" + JsonSyntax.quote(description)
                + ",\"code\":" + JsonSyntax.quote(code) + "}";
    }

    /**
     * Undocumented at Deepgram; the simulator drops every pending message, sends an Error message
     * at once and closes 1008 INVALID_MESSAGE.
     */
    void invalidMessage(String variant, String description) {
        cancelScheduled();
        ctx.writeAndFlush(new TextWebSocketFrame(errorJson(variant, description, "INVALID_MESSAGE")));
        record.errorSent(variant);
        serverClose(1008, "INVALID_MESSAGE");
    }

    /** An Error message that does not end the stream, sent in order after the latency. */
    void emitError(String variant, String description, String code) {
        emit(errorJson(variant, description, code), () -> record.errorSent(variant));
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

    /**
     * Sends a close frame ({@link #NO_STATUS_CODE}: an empty one), then closes the connection when
     * the client answers or after a timeout.
     */
    void serverClose(int code, String reason) {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        cancelScheduled();
        closing = true;
        record.ended(SessionRecord.EndedBy.SERVER, code, reason);
        ctx.writeAndFlush(code == NO_STATUS_CODE ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, reason));
        ctx.executor().schedule(() -> {
            ctx.close();
        }, closeHandshakeMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * An outage reaching this session: a 1011 close ({@code reset} false) or a TCP reset. Runs on the
     * session's event loop; a session already ending is left alone.
     */
    /** @return completes with whether the outage ended this session (false: it was ending already). */
    java.util.concurrent.CompletableFuture<Boolean> outage(boolean reset) {
        java.util.concurrent.CompletableFuture<Boolean> done = new java.util.concurrent.CompletableFuture<>();
        ChannelHandlerContext context = ctx;
        if (context == null) {
            done.complete(false); // not added to its pipeline yet
            return done;
        }
        context.executor().execute(() -> {
            if (closing || halfOpen || !context.channel().isActive()) {
                done.complete(false);
                return;
            }
            if (reset) {
                reset();
            } else {
                record.faultStruck();
                serverClose(1011, DeepgramSimulator.OUTAGE_REASON);
            }
            done.complete(true);
        });
        return done;
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

    // ---- timing -----------------------------------------------------------------------------

    void after(long delayNanos, Runnable task) {
        ScheduledFuture<?>[] holder = new ScheduledFuture<?>[1];
        holder[0] = ctx.executor().schedule(() -> {
            scheduled.remove(holder[0]);
            if (!closing && !halfOpen) {
                task.run();
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
        scheduled.add(holder[0]);
    }

    void emit(String payload, Runnable onSent) {
        emitAfter(settings.latency.toNanos(), payload, onSent);
    }

    /** Messages leave in the order they were produced, each no earlier than {@code delay} from now. */
    void emitAfter(long delayNanos, String payload, Runnable onSent) {
        long now = System.nanoTime();
        long at = Math.max(now + delayNanos, lastEmitNanos);
        lastEmitNanos = at;
        after(at - now, () -> {
            // Queued, recorded, then flushed: a client that reads the frame and then asks the record finds it
            // there, and whatever onSent writes (a close) still leaves after the frame.
            ctx.write(new TextWebSocketFrame(payload));
            if (onSent != null) {
                onSent.run();
            }
            ctx.flush();
        });
    }

    /** The delay of a flush (Finalize, ForceEndTurn): {@code sim_flush_delay} under slow_flush, else the latency. */
    long flushDelayNanos() {
        return (settings.fault == Fault.SLOW_FLUSH ? settings.flushDelay : settings.latency).toNanos();
    }

    void cancelScheduled() {
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

    static boolean isStringArray(Object v) {
        return JsonSyntax.isStringArray(v);
    }

    static String join(List<String> words) {
        return String.join(" ", words);
    }

    static String round(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }
}
