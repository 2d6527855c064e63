package dev.deepgramagent.instrumentation.netty;

import dev.deepgramagent.bridge.Bridge;
import dev.deepgramagent.bridge.BridgeHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * reactor-netty's lazy close through NettyControl: the decision is taken when the app subscribes
 * (WebFlux builds {@code session.close()} before the audio), a deferred close runs when the engine
 * carries it out, and a wait the app gives up releases the close frame that reactor's Mono never saw.
 */
class NettyControlTest {

    private final NettyControl control = new NettyControl();
    private final Object state = control.newState();
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final AtomicInteger asked = new AtomicInteger();
    private volatile boolean defer = true;

    NettyControlTest() {
        Bridge.install(new BridgeHandler() {
            @Override
            public boolean closeRequested(Object socket, int code, String reason, boolean alreadyClosing) {
                asked.incrementAndGet();
                return defer;
            }
        });
    }

    @AfterEach
    void uninstall() {
        Bridge.install(null);
        channel.finishAndReleaseAll();
    }

    /** reactor-netty's own Mono: counts its runs. */
    private Mono<Void> reactorsClose(AtomicInteger runs) {
        return Mono.fromRunnable(runs::incrementAndGet);
    }

    @Test
    void theDecisionWaitsForTheSubscription() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CloseWebSocketFrame frame = new CloseWebSocketFrame(1000, "bye");
        Object wrapped = control.closeIssued(channel, state, 1000, "bye", frame, reactorsClose(runs));
        assertEquals(0, asked.get(), "building the close decides nothing");

        boolean[] done = {false};
        Disposable subscription = ((Mono<?>) wrapped).subscribe(null, null, () -> done[0] = true);
        assertEquals(1, asked.get());
        assertEquals(0, runs.get(), "deferred: reactor's close waits");

        assertTrue(control.close(channel, state, 1000, "bye"), "the engine carries it out");
        assertEquals(1, runs.get());
        assertTrue(done[0]);
        assertEquals(1, frame.refCnt(), "reactor's own Mono owns the frame");
        frame.release();
        subscription.dispose();
    }

    @Test
    void aCloseTheEngineDoesNotDeferRunsAtOnce() {
        defer = false;
        AtomicInteger runs = new AtomicInteger();
        Mono<Void> original = reactorsClose(runs);
        Object wrapped = control.closeIssued(channel, state, 1000, "bye", new CloseWebSocketFrame(), original);
        ((Mono<?>) wrapped).subscribe();
        assertEquals(1, runs.get());
    }

    @Test
    void aSubscriptionAfterTheCloseWasCarriedOutRunsAtOnce() throws Exception {
        assertFalse(control.close(channel, state, 1000, "bye"), "no handler: nothing the agent could write");
        AtomicInteger runs = new AtomicInteger();
        ((Mono<?>) control.closeIssued(channel, state, 1000, "bye", new CloseWebSocketFrame(), reactorsClose(runs))).subscribe();
        assertEquals(1, runs.get());
        assertEquals(0, asked.get(), "nothing left to decide");
    }

    @Test
    void aWaitTheAppGivesUpReleasesTheFrame() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger dropped = new AtomicInteger();
        reactor.core.publisher.Hooks.onErrorDropped(e -> dropped.incrementAndGet());
        CloseWebSocketFrame frame = new CloseWebSocketFrame(1000, "bye");
        Disposable subscription = ((Mono<?>) control.closeIssued(channel, state, 1000, "bye", frame, reactorsClose(runs))).subscribe();
        subscription.dispose();
        reactor.core.publisher.Hooks.resetOnErrorDropped();
        assertEquals(0, dropped.get(), "no error reaches reactor for a subscription that is gone");
        assertEquals(0, frame.refCnt(), "released once, by the agent");
        control.close(channel, state, 1000, "bye");
        assertEquals(0, runs.get(), "the abandoned close never runs");
    }

    @Test
    void theChannelsOwnCloseWhenNoHandlerIsInstalled() throws Exception {
        assertTrue(channel.isActive());
        control.abort(channel, state);
        assertFalse(channel.isActive());
        assertSame(channel, channel.closeFuture().channel());
    }
}
