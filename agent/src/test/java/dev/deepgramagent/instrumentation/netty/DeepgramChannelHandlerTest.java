package dev.deepgramagent.instrumentation.netty;

import dev.deepgramagent.bridge.Bridge;
import dev.deepgramagent.bridge.BridgeHandler;
import dev.deepgramagent.bridge.ClosedAfterCloseFrame;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's channel handler in a real Netty pipeline (an embedded channel with Netty's client
 * frame codec): what it reports to the bridge, what it passes on, holds or drops, and that every
 * frame it takes is released exactly once.
 */
class DeepgramChannelHandlerTest {

    /** Records the bridge calls; answers as the test sets it up. */
    static final class Recorder extends BridgeHandler {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile Object audioAnswer = "session";
        volatile int textAnswer = SEND;
        volatile boolean deferClose;
        volatile Throwable failure;

        @Override
        public Object audioSent(Object socket, Object session, int bytes, Object payload) {
            calls.add("audio " + bytes + (session == null ? "" : " to " + session));
            return audioAnswer;
        }

        @Override
        public int textSent(Object socket, String text) {
            calls.add("text " + text);
            return textAnswer;
        }

        @Override
        public boolean closeRequested(Object socket, int code, String reason, boolean alreadyClosing) {
            calls.add("close " + code + " " + reason + " " + alreadyClosing);
            return deferClose;
        }

        @Override
        public void cancelRequested(Object socket) {
            calls.add("cancel");
        }

        @Override
        public void textPartReceived(Object socket, CharSequence part, boolean last) {
            calls.add("received " + part + " " + last);
        }

        @Override
        public void closeReceived(Object socket, int code, String reason) {
            calls.add("server close " + code + " " + reason);
        }

        @Override
        public void failed(Object socket, Throwable error, int httpStatus, String serverMessage) {
            calls.add("failed " + error.getClass().getSimpleName());
            if (failure == null) {
                failure = error; // the first report ends the session; later ones are ignored by the engine
            }
        }
    }

    private final Recorder bridge = new Recorder();
    private EmbeddedChannel channel;
    private DeepgramChannelHandler handler;

    @BeforeEach
    void channelAfterTheHandshake() {
        Bridge.install(bridge);
        // The pipeline a client handshake leaves: the frame decoder, the (masking) frame encoder.
        channel = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 16), new WebSocket13FrameEncoder(true));
        handler = (DeepgramChannelHandler) DeepgramChannelHandler.install(channel);
        assertNotNull(handler);
        assertSame(handler, DeepgramChannelHandler.install(channel), "installed once");
    }

    @AfterEach
    void uninstall() {
        channel.finishAndReleaseAll();
        Bridge.install(null);
    }

    private int drainWire() {
        int n = 0;
        Object o;
        while ((o = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(o);
            n++;
        }
        return n;
    }

    @Test
    void audioIsReportedAndGoesOnUntouched() {
        BinaryWebSocketFrame frame = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[640]));
        ChannelFuture written = channel.writeAndFlush(frame);
        assertTrue(written.isSuccess());
        assertEquals(List.of("audio 640"), bridge.calls);
        assertEquals(0, frame.refCnt(), "the encoder released it, once");
        assertEquals(1, drainWire());
        channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[320])));
        assertEquals(List.of("audio 640", "audio 320 to session"), bridge.calls, "the engine's token comes back: no lookup");
        assertEquals(1, drainWire());
        assertArrayEquals(new byte[] {1, 2, 3}, DeepgramChannelHandler.head(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4}), 3));
    }

    @Test
    void audioAfterTheAppsDeferredCloseIsDroppedAndReleased() {
        bridge.audioAnswer = new IOException("closed");
        BinaryWebSocketFrame frame = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[640]));
        ChannelFuture written = channel.writeAndFlush(frame);
        assertFalse(written.isSuccess());
        assertSame(bridge.audioAnswer, written.cause());
        assertEquals(0, frame.refCnt());
        assertEquals(0, drainWire());
    }

    @Test
    void droppedAndHeldTextIsReleased() {
        bridge.textAnswer = BridgeHandler.DROP;
        TextWebSocketFrame dropped = new TextWebSocketFrame("{\"type\":\"KeepAlive\"}");
        ChannelFuture f = channel.writeAndFlush(dropped);
        assertInstanceOf(ClosedChannelException.class, f.cause());
        assertEquals(0, dropped.refCnt());

        bridge.textAnswer = BridgeHandler.HOLD;
        TextWebSocketFrame held = new TextWebSocketFrame("{\"type\":\"CloseStream\"}");
        assertTrue(channel.writeAndFlush(held).isSuccess(), "answered as sent; the agent sends it later");
        assertEquals(0, held.refCnt());
        assertEquals(0, drainWire());

        bridge.textAnswer = BridgeHandler.SEND;
        assertTrue(channel.writeAndFlush(new TextWebSocketFrame("{\"type\":\"Finalize\"}")).isSuccess());
        assertEquals(1, drainWire());
    }

    @Test
    void aDeferredCloseKeepsTheAppsFrameAndPromiseUntilTheAgentWritesIt() {
        bridge.deferClose = true;
        CloseWebSocketFrame close = new CloseWebSocketFrame(1000, "bye");
        ChannelFuture appsWrite = channel.writeAndFlush(close);
        assertFalse(appsWrite.isDone(), "the app's close-after-write listener waits");
        assertEquals(1, close.refCnt());
        assertEquals(0, drainWire());

        // A second close while the first is held completes with it.
        CloseWebSocketFrame again = new CloseWebSocketFrame(1000, "again");
        ChannelFuture second = channel.writeAndFlush(again);
        assertEquals(0, again.refCnt());

        // The agent flushes (written from the handler's context, not reported back), then closes.
        assertTrue(handler.sendText("{\"type\":\"Finalize\"}"));
        channel.runPendingTasks();
        assertEquals(1, drainWire());
        assertTrue(handler.close(1000, "bye"));
        channel.runPendingTasks();
        assertTrue(appsWrite.isSuccess(), "the app's own promise, completed by the write");
        assertTrue(second.isSuccess());
        assertEquals(0, close.refCnt());
        assertEquals(1, drainWire());
        assertFalse(handler.sendText("{\"type\":\"KeepAlive\"}"), "nothing after the close frame");
        assertEquals(List.of("close 1000 bye false"), bridge.calls.subList(0, 1));
    }

    @Test
    void aHeldCloseIsReleasedWhenTheConnectionGoes() {
        bridge.deferClose = true;
        CloseWebSocketFrame close = new CloseWebSocketFrame(1000, "bye");
        ChannelFuture appsWrite = channel.writeAndFlush(close);
        channel.pipeline().fireChannelInactive(); // the server dropped the connection meanwhile
        assertEquals(0, close.refCnt());
        assertInstanceOf(ClosedChannelException.class, appsWrite.cause());
    }

    /** Plain Netty's `writeAndFlush(close); close()`: the frame goes out before the connection closes, as without the agent. */
    @Test
    void theAppClosingRightAfterItsHeldCloseSendsItFirst() {
        bridge.deferClose = true;
        CloseWebSocketFrame close = new CloseWebSocketFrame(1000, "bye");
        ChannelFuture appsWrite = channel.writeAndFlush(close);
        channel.close();
        assertTrue(appsWrite.isSuccess(), "written, with the app's own promise");
        assertEquals(0, close.refCnt());
        assertEquals(1, drainWire());
        assertFalse(bridge.calls.contains("cancel"), bridge.calls.toString());
        assertInstanceOf(ClosedAfterCloseFrame.class, bridge.failure);
    }

    @Test
    void thePongOfTheAgentsPingIsNotTheApps() {
        assertTrue(handler.sendPing());
        assertEquals(1, drainWire());
        PongWebSocketFrame agents = new PongWebSocketFrame();
        PongWebSocketFrame apps = new PongWebSocketFrame();
        channel.writeInbound(agents, apps);
        assertEquals(0, agents.refCnt(), "swallowed and released");
        assertSame(apps, channel.readInbound(), "a pong the agent did not ask for goes on");
        apps.release();
    }

    @Test
    void serverFramesAreReportedAndPassOn() {
        TextWebSocketFrame first = new TextWebSocketFrame(false, 0, "{\"type\":");
        ContinuationWebSocketFrame rest = new ContinuationWebSocketFrame(true, 0, "\"Results\"}");
        channel.writeInbound(first, rest, new CloseWebSocketFrame(1011, "NET-0001"));
        assertEquals(List.of("received {\"type\": false", "received \"Results\"} true", "server close 1011 NET-0001"), bridge.calls);
        for (int i = 0; i < 3; i++) {
            Object frame = channel.readInbound();
            assertNotNull(frame);
            assertEquals(1, ReferenceCountUtil.refCnt(frame), "the app's to release");
            ReferenceCountUtil.release(frame);
        }
        assertNull(channel.readInbound());
    }

    @Test
    void aTransportErrorEndsTheSessionAtOnce() {
        IOException reset = new IOException("Connection reset by peer");
        channel.pipeline().fireExceptionCaught(reset);
        assertSame(reset, bridge.failure);
        assertThrowsReset(reset);
    }

    private void assertThrowsReset(IOException reset) {
        try {
            channel.checkException();
        } catch (Exception e) {
            assertSame(reset, e, "the app still sees the error");
        }
    }

    @Test
    void theAppClosingTheChannelIsACancelUnlessItsCloseFrameWentOut() {
        channel.close();
        assertTrue(bridge.calls.contains("cancel"), bridge.calls.toString());
    }

    @Test
    void closingAfterTheCloseFrameIsThatClose() {
        channel.writeAndFlush(new CloseWebSocketFrame(1000, "bye"));
        drainWire();
        channel.close();
        assertFalse(bridge.calls.contains("cancel"), bridge.calls.toString());
        assertInstanceOf(ClosedAfterCloseFrame.class, bridge.failure);
    }

    @Test
    void theAgentsAbortEndsWithoutACancel() {
        handler.abort();
        channel.runPendingTasks();
        assertFalse(channel.isActive());
        assertFalse(bridge.calls.contains("cancel"), bridge.calls.toString());
        assertTrue(bridge.failure.getMessage().contains("aborted"), bridge.failure.toString());
    }

    private static void assertArrayEquals(byte[] expected, byte[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual);
    }
}
