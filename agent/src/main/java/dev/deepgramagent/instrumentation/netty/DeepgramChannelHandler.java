package dev.deepgramagent.instrumentation.netty;

import dev.deepgramagent.bridge.Bridge;
import dev.deepgramagent.bridge.BridgeHandler;
import dev.deepgramagent.bridge.ClosedAfterCloseFrame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.util.CharsetUtil;
import io.netty.util.ReferenceCountUtil;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Map;

/**
 * The agent's handler in the pipeline of a Deepgram WebSocket channel, and only there: added after
 * the WebSocket frame codec once the handshake succeeded, so that reactor-netty, Vert.x and plain
 * Netty apps all pass through it. It reports the app's frames and the server's to {@link Bridge},
 * holds the app's close frame (with its write promise) while the agent flushes, and writes the
 * agent's frames from its own context, so that they never come back through it.
 *
 * <p>This class is compiled against Netty but never loaded by the agent's class loader: the agent
 * defines it in the class loader of the app's Netty (see {@code HelperClasses}) and reaches it by
 * reflection ({@link NettyControl}). Every method runs on the channel's event loop, as Netty calls
 * handlers; the agent's requests are moved there. Nothing thrown here may reach the app: every
 * event passes on unchanged if the agent's part of it fails.
 */
public final class DeepgramChannelHandler extends ChannelDuplexHandler {

    public static final String NAME = "deepgram-agent";

    private final Channel channel;
    private ChannelHandlerContext ctx;
    /** The app's close frame and its write's promise, while the agent defers the close. */
    private CloseWebSocketFrame heldClose;
    private ChannelPromise heldPromise;
    /** Set on the event loop, read by the agent's threads too. */
    private volatile boolean closeWritten;
    private long closeWrittenNanos;
    /** The agent's pings not yet answered: their pongs are the agent's, not the app's. */
    private int agentPings;
    /** A fragmented message is under way: continuation frames belong to a binary (outbound) or text (inbound) message. */
    private boolean sendingAudio;
    private boolean receivingText;
    /** The engine's token for this channel's session, from its last audio frame: the next one needs no lookup. */
    private Object session;
    /** The error Netty reported before the channel went inactive, for the session's end. */
    private Throwable lastError;

    private DeepgramChannelHandler(Channel channel) {
        this.channel = channel;
    }

    /**
     * Adds a handler to the channel's pipeline after its WebSocket frame decoder and encoder (the
     * handshake just put them there); null when the pipeline has no frame codec.
     */
    public static Object install(Object channelObject) {
        Channel channel = (Channel) channelObject;
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(NAME) != null) {
            return pipeline.get(NAME);
        }
        String after = null;
        for (Map.Entry<String, ChannelHandler> e : pipeline) {
            if (e.getValue() instanceof WebSocketFrameDecoder || e.getValue() instanceof WebSocketFrameEncoder) {
                after = e.getKey(); // the later of the two: inbound frames are decoded, outbound not yet encoded
            }
        }
        if (after == null) {
            return null;
        }
        DeepgramChannelHandler handler = new DeepgramChannelHandler(channel);
        pipeline.addAfter(after, NAME, handler);
        return handler;
    }

    /** The first {@code max} readable bytes of an audio frame's buffer, for the audio preflight. */
    public static byte[] head(Object buffer, int max) {
        ByteBuf b = (ByteBuf) buffer;
        byte[] head = new byte[Math.min(max, b.readableBytes())];
        b.getBytes(b.readerIndex(), head); // the app's reader index stays where it is
        return head;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    // ---- the app's writes ----------------------------------------------------------------------

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        boolean handled;
        try {
            handled = inspectWrite(msg, promise);
        } catch (Throwable t) {
            handled = false;
        }
        if (!handled) {
            ctx.write(msg, promise);
        }
    }

    /** @return true when the frame was consumed here (dropped, held or completed): it must not go on. */
    private boolean inspectWrite(Object msg, ChannelPromise promise) {
        if (msg instanceof BinaryWebSocketFrame || (sendingAudio && msg instanceof ContinuationWebSocketFrame)) {
            WebSocketFrame frame = (WebSocketFrame) msg;
            sendingAudio = !frame.isFinalFragment();
            ByteBuf content = frame.content();
            Object token = Bridge.audioSent(channel, session, content.readableBytes(), content);
            session = token;
            if (token instanceof IOException) {
                // The app closed already (its close is deferred): the frame goes nowhere.
                fail(promise, (IOException) token);
                ReferenceCountUtil.release(msg);
                return true;
            }
            return false;
        }
        if (msg instanceof TextWebSocketFrame) {
            TextWebSocketFrame frame = (TextWebSocketFrame) msg;
            int verdict = Bridge.textSent(channel, frame.text());
            if (verdict == BridgeHandler.DROP) {
                fail(promise, new ClosedChannelException());
                ReferenceCountUtil.release(msg);
                return true;
            }
            if (verdict == BridgeHandler.HOLD) {
                // The agent sends it later itself (Flux's CloseStream in the middle of a turn).
                promise.trySuccess();
                ReferenceCountUtil.release(msg);
                return true;
            }
            return false;
        }
        if (msg instanceof CloseWebSocketFrame) {
            CloseWebSocketFrame frame = (CloseWebSocketFrame) msg;
            if (heldClose != null) {
                // A second close while the first is held: it completes with the first.
                if (heldPromise.isVoid()) {
                    promise.trySuccess();
                } else {
                    heldPromise.addListener(cascade(promise));
                }
                ReferenceCountUtil.release(msg); // last: nothing after it can throw and forward a released frame
                return true;
            }
            boolean deferred = Bridge.closeRequested(channel, frame.statusCode(), frame.reasonText(), closeWritten);
            if (deferred) {
                heldClose = frame;
                heldPromise = promise; // a close-after-write listener (reactor-netty's) waits with it
                return true;
            }
            markCloseWritten();
        }
        return false;
    }

    private void markCloseWritten() {
        closeWritten = true;
        closeWrittenNanos = System.nanoTime();
    }

    /**
     * The app closes the channel itself: a cancel, unless its close frame went out already (then it
     * just did not wait for the server's answer, as reactor-netty never does), or the app closes in
     * answer to an error or to a connection that is gone (the error, or the loss, ends the session).
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        try {
            if (heldClose != null && channel.isActive()) {
                // The app closes right after its close frame (held for the flush): the frame goes out
                // first, as it would have without the agent; the flush is given up.
                CloseWebSocketFrame frame = heldClose;
                ChannelPromise written = heldPromise;
                heldClose = null;
                heldPromise = null;
                markCloseWritten();
                ctx.writeAndFlush(frame, written);
            }
            if (lastError != null) {
                Bridge.failed(channel, lastError, 0, null);
            } else if (!channel.isActive()) {
                Bridge.failed(channel, new EOFException("the connection ended without a close frame"), 0, null);
            } else if (closeWritten && System.nanoTime() - closeWrittenNanos > CLOSE_ANSWER_NANOS) {
                // The library gave up waiting for the server's close (Netty's forceCloseTimeout, Vert.x's closingTimeout).
                Bridge.failed(channel, new java.net.SocketTimeoutException("the server did not answer the close"), 0, null);
            } else if (closeWritten) {
                Bridge.failed(channel, new ClosedAfterCloseFrame(), 0, null);
            } else {
                Bridge.cancelRequested(channel);
            }
        } catch (Throwable ignored) {
            // never in the app's way
        }
        ctx.close(promise);
    }

    /** A close of the channel this long after the close frame is a library's close timeout, not the app's close. */
    private static final long CLOSE_ANSWER_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

    // ---- the server's frames -------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (agentPings > 0 && msg instanceof PongWebSocketFrame) {
            agentPings--;
            ReferenceCountUtil.release(msg); // the answer to the agent's ping: the app never asked for it
            return;
        }
        try {
            inspectRead(msg);
        } catch (Throwable ignored) {
            // the frame goes on as it came
        }
        ctx.fireChannelRead(msg);
    }

    private void inspectRead(Object msg) {
        if (msg instanceof TextWebSocketFrame || (receivingText && msg instanceof ContinuationWebSocketFrame)) {
            WebSocketFrame frame = (WebSocketFrame) msg;
            receivingText = !frame.isFinalFragment();
            if ((frame.rsv() & 4) != 0) {
                return; // compressed (permessage-deflate): not readable here
            }
            // toString leaves the app's reader index alone.
            Bridge.textPartReceived(channel, frame.content().toString(CharsetUtil.UTF_8), frame.isFinalFragment());
        } else if (msg instanceof CloseWebSocketFrame) {
            CloseWebSocketFrame frame = (CloseWebSocketFrame) msg;
            String reason = frame.reasonText();
            Bridge.closeReceived(channel, frame.statusCode(), reason == null ? "" : reason);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        lastError = cause;
        if (cause instanceof IOException) {
            // The transport failed (a reset, say): Netty closes the channel itself, and the app may act on
            // this error (even exit) before that close reaches this handler.
            try {
                Bridge.failed(channel, cause, 0, null);
            } catch (Throwable ignored) {
                // see channelRead
            }
        }
        // Otherwise the session ends when the channel does: the app decides whether the error is fatal.
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try {
            releaseHeld(new ClosedChannelException());
            Throwable error = lastError != null ? lastError : new EOFException("the connection ended without a close frame");
            Bridge.failed(channel, error, 0, null);
        } catch (Throwable ignored) {
            // see channelRead
        }
        ctx.fireChannelInactive();
    }

    // ---- the agent's writes (called by NettyControl from any thread) ----------------------------

    /** @return false when the channel no longer takes frames (closed, or its close frame went out). */
    public boolean sendText(String text) {
        if (!channel.isActive() || closeWritten) {
            return false;
        }
        onLoop(() -> {
            if (!closeWritten) {
                ctx.writeAndFlush(new TextWebSocketFrame(text));
            }
        });
        return true;
    }

    public boolean sendPing() {
        if (!channel.isActive() || closeWritten) {
            return false;
        }
        onLoop(() -> {
            if (!closeWritten) {
                agentPings++;
                ctx.writeAndFlush(new PingWebSocketFrame());
            }
        });
        return true;
    }

    /** The deferred close: the app's own frame with its own promise, or a new frame when the app sent none. */
    public boolean close(int code, String reason) {
        if (!channel.isActive()) {
            return false;
        }
        onLoop(() -> {
            if (closeWritten) {
                return;
            }
            markCloseWritten();
            if (heldClose != null) {
                CloseWebSocketFrame frame = heldClose;
                ChannelPromise promise = heldPromise;
                heldClose = null;
                heldPromise = null;
                ctx.writeAndFlush(frame, promise);
            } else {
                ctx.writeAndFlush(new CloseWebSocketFrame(code, reason));
            }
        });
        return true;
    }

    /** Drops the connection: a close that the server never answered. */
    public void abort() {
        onLoop(() -> {
            lastError = new IOException("WebSocket aborted: the close was never answered");
            ctx.close(); // from this handler's context: not reported back as the app's cancel
        });
    }

    /** Runs {@code task} on the channel's event loop (the agent completes the app's futures there). */
    public void execute(Runnable task) {
        channel.eventLoop().execute(task);
    }

    /** The handler's context is set once it is in the pipeline, on the loop: tasks run there. */
    private void onLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop() && ctx != null) {
            task.run();
        } else {
            channel.eventLoop().execute(task);
        }
    }

    private void releaseHeld(Throwable why) {
        if (heldClose != null) {
            ReferenceCountUtil.release(heldClose);
            fail(heldPromise, why);
            heldClose = null;
            heldPromise = null;
        }
    }

    private static void fail(ChannelPromise promise, Throwable why) {
        if (!promise.isVoid()) {
            promise.tryFailure(why);
        }
    }

    /** Completes {@code promise} as the future it listens to completes. */
    private static ChannelFutureListener cascade(ChannelPromise promise) {
        return f -> {
            if (f.isSuccess()) {
                promise.trySuccess();
            } else {
                fail(promise, f.cause());
            }
        };
    }
}
