package dev.deepgramagent.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Netty's send path: a 640-byte {@code BinaryWebSocketFrame} written and flushed through a client
 * channel's pipeline, in the fork's JVM with or without the agent (Netty's leak detection off, as in
 * production). The channel is an {@code EmbeddedChannel} whose handshake went through Netty's real
 * {@code WebSocketClientHandshaker13} (the agent's hooks): on a Deepgram URL the agent's handler sits
 * in its pipeline, on {@link #UNTRACKED_PATH} it does not. An embedded channel runs the pipeline on
 * the benchmark's thread, without an event loop or the network sharing the 2 cores.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NettySendBenchmark {

    public static final String TRACKED_PATH = "/v1/listen";
    public static final String UNTRACKED_PATH = "/echo";
    /** Netty's default leak detection samples allocations: noise, not the agent. */
    public static final String NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";
    static final int BATCH = 5000;
    private static final Pattern KEY = Pattern.compile("(?i)sec-websocket-key: *(\\S+)");

    @Param({TRACKED_PATH})
    public String path;

    private EmbeddedChannel channel;
    private byte[] audio;

    @Setup(Level.Trial)
    public void open() throws Exception {
        String url = TRACKED_PATH.equals(path)
                ? "ws://127.0.0.1:8080/v1/listen?encoding=linear16&sample_rate=16000&channels=1" : "ws://127.0.0.1:8080/echo";
        channel = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 16));
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(URI.create(url), WebSocketVersion.V13,
                null, false, new DefaultHttpHeaders().add("Authorization", "Token bench"), 1 << 20);
        handshaker.handshake(channel).sync();
        ByteBuf request = channel.readOutbound();
        Matcher key = KEY.matcher(request.toString(StandardCharsets.US_ASCII));
        request.release();
        if (!key.find()) {
            throw new IllegalStateException("no Sec-WebSocket-Key in the upgrade request");
        }
        String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest((key.group(1) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        response.headers().add("Upgrade", "websocket").add("Connection", "Upgrade").add("Sec-WebSocket-Accept", accept)
                .add("dg-request-id", "00000000-0000-0000-0000-000000000000");
        handshaker.finishHandshake(channel, response);
        response.release();
        channel.runPendingTasks(); // the handshaker removes the HTTP codec in a task
        // The frame encoder (masking and copying the payload, ~1 us) gives way to a sink that only releases
        // the frame: what remains is the pipeline the app's write passes, and the agent's handler in it.
        channel.pipeline().replace(WebSocketFrameEncoder.class, "ws-encoder", new Sink());
        audio = new byte[640];
    }

    /** With the agent: it counted the audio of the tracked channel and none on the other one (see SendBenchmark). */
    @TearDown(Level.Trial)
    public void checkTrackingAndClose() {
        try {
            SendBenchmark.checkTracking(TRACKED_PATH.equals(path), (long) BATCH * audio.length, "Netty channel");
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** What an app does per audio chunk: a frame around its bytes, written and flushed. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long send() {
        EmbeddedChannel ch = channel;
        byte[] a = audio;
        Sink sink = (Sink) ch.pipeline().get("ws-encoder");
        long before = sink.frames;
        for (int i = 0; i < BATCH; i++) {
            ch.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(a)), ch.voidPromise());
        }
        long written = sink.frames - before;
        if (written != BATCH) {
            throw new IllegalStateException("the channel wrote " + written + " of " + BATCH + " frames");
        }
        return written;
    }

    /**
     * Where the encoder was: counts and releases each frame. It keeps the last one, as a real channel's
     * outbound buffer keeps every frame: otherwise the JIT may scalar-replace the app's frame on the
     * shorter path without the agent only, and count the agent's handler as allocating it.
     */
    static final class Sink extends ChannelOutboundHandlerAdapter {
        long frames;
        Object last;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            frames++;
            last = msg;
            ReferenceCountUtil.release(msg);
            promise.trySuccess();
        }
    }
}
