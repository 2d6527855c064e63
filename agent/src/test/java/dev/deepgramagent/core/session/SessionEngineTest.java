package dev.deepgramagent.core.session;

import dev.deepgramagent.config.AgentConfig;
import dev.deepgramagent.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's decisions, with a recording adapter in place of a WebSocket library. */
class SessionEngineTest {

    static final String URL = "wss://api.deepgram.com/v1/listen?encoding=linear16&sample_rate=16000&channels=1";
    static final int ONE_SECOND = 32_000; // bytes of 16 kHz mono linear16

    /** The adapter contract, recorded: what the engine wrote to which socket. */
    static class RecordingControl implements SocketControl {
        final List<String> writes = new CopyOnWriteArrayList<>();
        volatile CountDownLatch closed = new CountDownLatch(1);

        @Override
        public boolean sendText(Object socket, Object state, String text) {
            writes.add("text " + text);
            return true;
        }

        @Override
        public boolean close(Object socket, Object state, int code, String reason) {
            writes.add("close " + code + " " + reason);
            closed.countDown();
            return true;
        }
    }

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final RecordingControl control = new RecordingControl();
    private final List<SessionEnd> ends = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private SessionEngine engine(String args) {
        AgentConfig config = ConfigLoader.load("keepalive.interval=0," + args, Map.of(), Map.of(), w -> {
            throw new AssertionError(w);
        });
        SessionEngine engine = new SessionEngine(config, now::get, scheduler);
        engine.register("lib", control);
        engine.addListener(new SessionListener() {
            @Override
            public void ended(Session session, SessionEnd end) {
                ends.add(end);
            }
        });
        return engine;
    }

    private Object open(SessionEngine engine) {
        Object socket = new Object();
        assertNotNull(engine.created(socket, "lib", URL, null));
        engine.opened(socket, "req-1");
        return socket;
    }

    private static String result(double start, double duration, boolean fromFinalize) {
        return "{\"type\":\"Results\",\"start\":" + start + ",\"duration\":" + duration + ",\"is_final\":true,"
                + "\"from_finalize\":" + fromFinalize + ",\"channel\":{\"alternatives\":[{\"transcript\":\"secret words\"}]}}";
    }

    @Test
    void otherUrlsAreNotTracked() {
        SessionEngine engine = engine("");
        Object socket = new Object();
        assertNull(engine.created(socket, "lib", "wss://example.com/v1/listen", null));
        assertNull(engine.created(socket, "lib", "wss://api.deepgram.com/v1/speak", null));
        assertFalse(engine.binarySent(socket, 640, null));
        assertFalse(engine.closeRequested(socket, 1000, "bye", false));
        assertEquals(List.of(), control.writes);
    }

    @Test
    void closeWithUnflushedAudioIsDeferredUntilTheFlushIsAnswered() {
        SessionEngine engine = engine("");
        Object socket = open(engine);
        for (int i = 0; i < 50; i++) {
            engine.binarySent(socket, 1280, null); // 2 s
        }
        engine.textReceived(socket, result(0, 1.0, false));
        assertTrue(engine.closeRequested(socket, 1000, "Client disconnecting", false), "the agent takes the close over");
        assertEquals(List.of("text {\"type\":\"Finalize\"}"), control.writes);

        assertTrue(engine.binarySent(socket, 640, null), "audio after the app's close is dropped");
        assertEquals(SessionEngine.DROP, engine.textSent(socket, "{\"type\":\"KeepAlive\"}"), "so is text");

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(400));
        engine.textReceived(socket, result(1.0, 1.0, true));
        assertEquals("close 1000 Client disconnecting", control.writes.get(1));
        engine.closeReceived(socket, 1000, "Client disconnecting");

        SessionEnd end = ends.get(0);
        assertEquals(RootCause.CLEAN, end.rootCause);
        assertEquals(0.0, end.lostSeconds, 1e-9);
        assertEquals(1.0, end.rescuedSeconds, 1e-9);
        assertEquals(1, end.injectedFinalizes);
        assertEquals(0.4, end.flushLatencySeconds, 1e-9);
        assertEquals("req-1", end.requestId);
    }

    @Test
    void anUnansweredFlushClosesAfterTheTimeoutAndCountsAsUnflushed() throws Exception {
        SessionEngine engine = engine("finalize.timeout=100ms");
        Object socket = open(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        assertTrue(engine.closeRequested(socket, 1000, "", false));
        assertTrue(control.closed.await(5, TimeUnit.SECONDS), "closed by the timeout");
        engine.closeReceived(socket, 1000, "");
        assertEquals(RootCause.CLIENT_CLOSE_UNFLUSHED, ends.get(0).rootCause);
        assertEquals(1.0, ends.get(0).lostSeconds, 1e-9);
    }

    @Test
    void resultsThatKeepComingExtendTheWaitForTheFlushUpToItsCap() throws Exception {
        SessionEngine engine = engine("finalize.timeout=600ms");
        Object socket = open(engine);
        for (int i = 0; i < 10; i++) {
            engine.binarySent(socket, ONE_SECOND, null);
        }
        assertTrue(engine.closeRequested(socket, 1000, "", false));
        // Deepgram is still working through a backlog: each result restarts the wait, so the close
        // waits well past one finalize.timeout (each gap stays below it).
        for (int i = 0; i < 4; i++) {
            assertFalse(control.closed.await(200, TimeUnit.MILLISECONDS), "still answering, step " + i);
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
            engine.textReceived(socket, result(i, 1.0, false));
        }
        assertFalse(control.closed.await(200, TimeUnit.MILLISECONDS), "the last result restarted the wait");
        assertTrue(control.closed.await(5, TimeUnit.SECONDS), "no more progress: closed after the timeout");

        // The cap: results that never end hold the close at most 5 finalize timeouts after the flush.
        control.closed = new java.util.concurrent.CountDownLatch(1);
        Object second = open(engine);
        for (int i = 0; i < 30; i++) {
            engine.binarySent(second, ONE_SECOND, null);
        }
        assertTrue(engine.closeRequested(second, 1000, "", false));
        // Each step: 200 ms of real time, 1 s on the engine's clock, a result covering one more second.
        // The cap (3 s after the flush on the engine's clock) stops the extensions after the second
        // step; the close follows 600 ms later, two or three steps on. Without a cap it would wait
        // for all 30.
        int delivered = 0;
        while (!control.closed.await(200, TimeUnit.MILLISECONDS) && delivered < 30) {
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1000));
            engine.textReceived(second, result(delivered, 1.0, false));
            delivered++;
        }
        assertTrue(delivered >= 2 && delivered <= 10, "closed at the cap while results still came: " + delivered);
    }

    /**
     * A library that hands nothing to the app once closed (Tyrus): the close the Finalize's answer allows
     * waits until the library delivered that answer to the app, then goes at once.
     */
    @Test
    void aCloseTheAnswerAllowsWaitsForItsDeliveryWhereTheLibraryAsksSo() {
        SessionEngine engine = engine("");
        RecordingControl afterDelivery = new RecordingControl() {
            @Override
            public boolean closesAfterDelivery() {
                return true;
            }
        };
        engine.register("tyrus-like", afterDelivery);
        Object socket = new Object();
        assertNotNull(engine.created(socket, "tyrus-like", URL, null));
        engine.opened(socket, "req-2");
        for (int i = 0; i < 50; i++) {
            engine.binarySent(socket, 1280, null); // 2 s
        }
        assertTrue(engine.closeRequested(socket, 1000, "Client disconnecting", false));
        assertEquals(List.of("text {\"type\":\"Finalize\"}"), afterDelivery.writes);
        engine.textReceived(socket, result(0, 2.0, true));
        assertEquals(1, afterDelivery.writes.size(), "not closed while the library has yet to deliver the answer");
        engine.messageDelivered(socket);
        assertEquals(List.of("text {\"type\":\"Finalize\"}", "close 1000 Client disconnecting"), afterDelivery.writes);
        engine.messageDelivered(socket);
        assertEquals(2, afterDelivery.writes.size(), "closed once");

        // Every other library: the answer's report closes at once, as before.
        Object other = open(engine);
        for (int i = 0; i < 50; i++) {
            engine.binarySent(other, 1280, null);
        }
        assertTrue(engine.closeRequested(other, 1000, "bye", false));
        engine.textReceived(other, result(0, 2.0, true));
        assertEquals("close 1000 bye", control.writes.get(1));
    }

    @Test
    void nothingToFlushMeansNoDeferral() {
        SessionEngine engine = engine("");
        Object socket = open(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.textSent(socket, "{\"type\":\"Finalize\"}");
        engine.textReceived(socket, result(0, 1.0, true));
        assertFalse(engine.closeRequested(socket, 1000, "", false));
        assertEquals(List.of(), control.writes);
        engine.closeReceived(socket, 1000, "");
        assertEquals(RootCause.CLEAN, ends.get(0).rootCause);
    }

    @Test
    void anOutstandingFlushOfTheAppIsWaitedForWithoutInjecting() {
        SessionEngine engine = engine("");
        Object socket = open(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.textSent(socket, "{\"type\":\"Finalize\"}");
        assertTrue(engine.closeRequested(socket, 1000, "", false));
        assertEquals(List.of(), control.writes, "the app's own Finalize is in flight");
        engine.textReceived(socket, result(0, 1.0, true));
        assertEquals(List.of("close 1000 "), control.writes);
    }

    @Test
    void closeStreamModeWaitsForMetadata() {
        SessionEngine engine = engine("finalize.mode=closestream");
        Object socket = open(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        assertTrue(engine.closeRequested(socket, 1001, "going away", false));
        assertEquals(List.of("text {\"type\":\"CloseStream\"}"), control.writes);
        engine.textReceived(socket, result(0, 1.0, false));
        assertEquals(1, control.writes.size(), "results alone do not answer CloseStream");
        engine.textReceived(socket, "{\"type\":\"Metadata\",\"duration\":1.0}");
        assertEquals("close 1001 going away", control.writes.get(1));
    }

    @Test
    void observeModeAndFinalizeOffNeverWrite() {
        for (String args : new String[] {"mode=observe", "finalize.mode=off"}) {
            control.writes.clear();
            SessionEngine engine = engine(args);
            Object socket = open(engine);
            engine.binarySent(socket, ONE_SECOND, null);
            assertFalse(engine.closeRequested(socket, 1000, "", false), args);
            assertEquals(List.of(), control.writes, args);
        }
    }

    @Test
    void otherCloseCodesAreNotDeferred() {
        SessionEngine engine = engine("");
        Object socket = open(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        assertFalse(engine.closeRequested(socket, 4000, "app specific", false));
        assertEquals(List.of(), control.writes);
    }

    @Test
    void keepAliveOnlyAfterTheIntervalWithoutSends() {
        AgentConfig config = ConfigLoader.load("keepalive.interval=4s", Map.of(), Map.of(), w -> { });
        SessionEngine engine = new SessionEngine(config, now::get, scheduler);
        engine.register("lib", control);
        Object socket = open(engine);
        engine.binarySent(socket, 640, null);
        now.addAndGet(TimeUnit.SECONDS.toNanos(3));
        engine.keepAliveTick();
        assertEquals(List.of(), control.writes);
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        engine.keepAliveTick();
        assertEquals(List.of("text {\"type\":\"KeepAlive\"}"), control.writes);
        engine.keepAliveTick();
        assertEquals(1, control.writes.size(), "the KeepAlive itself counts as a send");
    }

    /** An adapter that passes the session back with each frame skips the lookup; an ended session's token does not count. */
    @Test
    void aSessionTokenPassedBackCountsLikeTheLookup() {
        SessionEngine engine = engine("");
        Object socket = open(engine);
        Object token = engine.audioSent(socket, null, 640, null);
        assertTrue(token instanceof Session);
        assertSame(token, engine.audioSent(socket, token, 320, null));
        assertSame(token, engine.audioSent(socket, "not a session", 320, null), "anything else asks for the lookup");
        engine.closeReceived(socket, 1000, "");
        assertNull(engine.audioSent(socket, token, 320, null), "ended: the lookup finds nothing");
        assertEquals(1280, ends.get(0).audioBytes);
    }

    /** Apps that send audio from several threads (or a pool) on one socket: every byte and frame counted, none lost. */
    @Test
    void audioCountsAreExactWithConcurrentSenders() throws Exception {
        SessionEngine engine = engine("");
        Object socket = open(engine);
        int threads = 4;
        int framesEach = 200_000;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int bytes = 100 + t; // distinct sizes: a lost update of any thread shows in the byte total
            Thread sender = new Thread(() -> {
                try {
                    start.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < framesEach; i++) {
                    engine.binarySent(socket, bytes, null);
                }
            });
            senders.add(sender);
            sender.start();
        }
        for (Thread sender : senders) {
            sender.join(60_000);
            assertFalse(sender.isAlive());
        }
        engine.closeReceived(socket, 1000, "");
        assertEquals(1, ends.size());
        assertEquals((long) framesEach * (100 + 101 + 102 + 103), ends.get(0).audioBytes);
    }

    /** An app that closes twice while the first close waits for the flush: the second is held with it, one close goes out. */
    @Test
    void aSecondCloseDuringTheDeferralIsHeldWithTheFirst() {
        SessionEngine engine = engine("");
        Object socket = open(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        assertTrue(engine.closeRequested(socket, 1000, null, false), "the first close waits for the flush");
        assertTrue(engine.closeRequested(socket, 1000, "again", false), "the second waits with it");
        assertEquals(List.of("text {\"type\":\"Finalize\"}"), control.writes, "nothing closed before Deepgram answered the flush");
        engine.textReceived(socket, result(0, 1.0, true));
        assertEquals(List.of("text {\"type\":\"Finalize\"}", "close 1000 null"), control.writes, "one close, the first one's, once the flush is answered");
        assertFalse(engine.closeRequested(socket, 1000, null, false), "after the close went out, the library answers");
        assertFalse(engine.closeRequested(socket, 1011, "abnormal", false));
    }

    @Test
    void endsAreClassifiedOnce() {
        SessionEngine engine = engine("");
        Object socket = open(engine);
        engine.closeReceived(socket, 1011, "NET-0001");
        engine.failed(socket, new EOFException(), 0, null);
        assertEquals(1, ends.size());
        assertEquals(RootCause.SERVER_IDLE_TIMEOUT, ends.get(0).rootCause);
        assertEquals(0, engine.openSessions());
    }

    @Test
    void shutdownFlushesClosesAndEndsAsJvmShutdown() {
        SessionEngine engine = engine("shutdown.timeout=200ms");
        Object socket = open(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.shutdown();
        assertEquals(List.of("text {\"type\":\"Finalize\"}", "close 1001 JVM shutdown"), control.writes);
        assertEquals(RootCause.JVM_SHUTDOWN, ends.get(0).rootCause);
    }

    @Test
    void shutdownDoesNotWaitForASessionStillInItsHandshake() {
        SessionEngine engine = engine("shutdown.timeout=60s");
        Object socket = new Object();
        assertNotNull(engine.created(socket, "lib", URL, null));
        engine.binarySent(socket, ONE_SECOND, null); // queued by the library until the handshake ends
        // Nothing can answer a flush on it, so waiting would hold the JVM's exit for the whole minute.
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), engine::shutdown);
        assertEquals(List.of(), control.writes);
        assertEquals(RootCause.JVM_SHUTDOWN, ends.get(0).rootCause);
    }

    @Test
    void handshakeFailures() {
        int[][] cases = {{401}, {403}, {429}, {400}, {402}, {500}, {503}};
        RootCause[] expected = {RootCause.HANDSHAKE_AUTH, RootCause.HANDSHAKE_AUTH, RootCause.HANDSHAKE_RATE_LIMITED,
                RootCause.HANDSHAKE_REJECTED, RootCause.HANDSHAKE_REJECTED, RootCause.HANDSHAKE_SERVER_ERROR,
                RootCause.HANDSHAKE_SERVER_ERROR};
        SessionEngine engine = engine("");
        List<RootCause> got = new ArrayList<>();
        for (int[] c : cases) {
            Object socket = new Object();
            engine.created(socket, "lib", URL, null);
            engine.failed(socket, new java.net.ProtocolException("Expected HTTP 101"), c[0], null);
        }
        for (SessionEnd e : ends) {
            got.add(e.rootCause);
        }
        assertEquals(List.of(expected), got);
    }

    @Test
    void failuresAfterTheHandshake() {
        SessionEngine engine = engine("");
        Object a = open(engine);
        engine.failed(a, new SocketTimeoutException("sent ping but didn't receive pong"), 0, null);
        Object b = open(engine);
        engine.cancelRequested(b);
        engine.failed(b, new java.io.IOException("Canceled"), 0, null);
        Object c = open(engine);
        engine.failed(c, new java.net.SocketException("Connection reset"), 0, null);
        Object d = open(engine);
        engine.closeRequested(d, 4000, "", false);
        engine.cancelRequested(d); // OkHttp's own cancel after an unanswered close
        engine.failed(d, new java.io.IOException("Canceled"), 0, null);
        Object e = open(engine);
        engine.closeReceived(e, 1008, "DATA-0000");
        Object f = open(engine);
        engine.closeReceived(f, 1011, "NET-0000");
        Object g = open(engine);
        engine.closeReceived(g, 1013, "try again later");
        List<RootCause> got = new ArrayList<>();
        for (SessionEnd end : ends) {
            got.add(end.rootCause);
        }
        assertEquals(List.of(RootCause.CLIENT_TIMEOUT, RootCause.CLIENT_CANCEL, RootCause.NETWORK_RESET,
                RootCause.CLOSE_TIMEOUT, RootCause.BAD_AUDIO, RootCause.SERVER_PROCESSING_TIMEOUT, RootCause.SERVER_ERROR), got);
    }

    @Test
    void aSocketCollectedWithoutAnyEndEventEndsAsUnknown() throws Exception {
        SessionEngine engine = engine("");
        java.lang.ref.WeakReference<Object> ref = createAndDrop(engine);
        // Real garbage collection, bounded: the agent must never keep an app's socket alive.
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            new CountDownLatch(1).await(20, TimeUnit.MILLISECONDS);
        }
        assertNull(ref.get(), "the engine must not keep the socket reachable");
        engine.sweepOrphans();
        assertEquals(1, ends.size());
        assertEquals(RootCause.UNKNOWN, ends.get(0).rootCause);
        assertEquals(0, engine.openSessions());
    }

    private java.lang.ref.WeakReference<Object> createAndDrop(SessionEngine engine) {
        Object socket = open(engine);
        engine.binarySent(socket, 640, null);
        return new java.lang.ref.WeakReference<>(socket);
    }

    @Test
    void aLibrarysControlIsCreatedAtItsFirstSessionAndOnlyOnce() {
        SessionEngine engine = engine("");
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        RecordingControl lazy = new RecordingControl();
        engine.register("lazy", () -> {
            made.incrementAndGet();
            return lazy;
        });
        assertEquals(0, made.get(), "nothing is created at registration");
        for (int i = 0; i < 2; i++) {
            Object socket = new Object();
            engine.created(socket, "lazy", URL, null);
            engine.opened(socket, "req-" + i);
            engine.binarySent(socket, ONE_SECOND, null);
            engine.closeRequested(socket, 1000, "", false);
        }
        assertEquals(1, made.get());
        assertTrue(lazy.writes.contains("text {\"type\":\"Finalize\"}"), "the created control carries out the engine's writes: " + lazy.writes);
    }

    @Test
    void aControlFactoryThatFailsIsCalledOnceAndLeavesOnlyItsLibraryUntracked() {
        SessionEngine engine = engine("");
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        engine.register("broken", () -> {
            calls.incrementAndGet();
            throw new IllegalStateException("a method this library version lacks");
        });
        RecordingControl working = new RecordingControl();
        engine.register("lib", working);
        boolean degradedBefore = dev.deepgramagent.errors.InternalErrors.degraded();
        long startupBefore = dev.deepgramagent.errors.InternalErrors.count(dev.deepgramagent.errors.InternalErrors.Kind.STARTUP);
        long runtimeBefore = dev.deepgramagent.errors.InternalErrors.count(dev.deepgramagent.errors.InternalErrors.Kind.RUNTIME);
        for (int i = 0; i < 3; i++) {
            Object socket = new Object();
            assertNull(engine.created(socket, "broken", URL, null), "the library's sockets are not tracked");
            assertNull(engine.created(new Object(), "broken", null, null), "nor described");
            assertFalse(engine.closeRequested(socket, 1000, "", false), "the app's close goes out as it is");
        }
        assertEquals(1, calls.get(), "the factory is called once");
        assertEquals(startupBefore + 1, dev.deepgramagent.errors.InternalErrors.count(dev.deepgramagent.errors.InternalErrors.Kind.STARTUP));
        assertEquals(runtimeBefore, dev.deepgramagent.errors.InternalErrors.count(dev.deepgramagent.errors.InternalErrors.Kind.RUNTIME));
        assertEquals(degradedBefore, dev.deepgramagent.errors.InternalErrors.degraded(), "the other libraries keep writing");

        Object other = new Object();
        engine.created(other, "lib", URL, null);
        engine.opened(other, "req-1");
        engine.binarySent(other, ONE_SECOND, null);
        assertTrue(engine.closeRequested(other, 1000, "", false), "another library's close is still deferred");
        assertTrue(working.writes.contains("text {\"type\":\"Finalize\"}"), working.writes.toString());
    }

    @Test
    void tenThousandSessionsLeaveNoStateBehind() {
        SessionEngine engine = engine("");
        for (int i = 0; i < 10_000; i++) {
            Object socket = open(engine);
            for (int f = 0; f < 5; f++) {
                engine.binarySent(socket, 640, null);
            }
            if (i % 2 == 0) {
                engine.closeRequested(socket, 1000, "", false);
                engine.textReceived(socket, result(0, 0.1, true));
                engine.closeReceived(socket, 1000, "");
            } else {
                engine.failed(socket, new EOFException(), 0, null);
            }
        }
        assertEquals(0, engine.openSessions());
        assertEquals(0, engine.sessions().size());
        assertEquals(10_000, ends.size());
    }

    // ---- Flux (/v2/listen) ------------------------------------------------------------------

    static final String FLUX_URL = "wss://api.deepgram.com/v2/listen?model=flux-general-en&encoding=linear16&sample_rate=16000";

    private Object openFlux(SessionEngine engine) {
        Object socket = new Object();
        Session s = engine.created(socket, "lib", FLUX_URL, null);
        assertTrue(s.flux);
        engine.opened(socket, "req-flux");
        return socket;
    }

    private static String turn(String event, int index, double start, double end, String trigger) {
        return "{\"type\":\"TurnInfo\",\"event\":\"" + event + "\",\"turn_index\":" + index + ",\"audio_window_start\":" + start
                + ",\"audio_window_end\":" + end + ",\"transcript\":\"secret words\",\"words\":[{\"word\":\"secret\"}]"
                + (trigger == null ? "" : ",\"trigger\":\"" + trigger + "\"") + "}";
    }

    @Test
    void fluxNeverGetsKeepAliveAndAMidTurnCloseGetsForceEndTurn() {
        SessionEngine engine = engine("keepalive.interval=1s"); // the later value wins over the helper's 0
        Object socket = openFlux(engine);
        engine.binarySent(socket, 2 * ONE_SECOND, null);
        now.addAndGet(TimeUnit.SECONDS.toNanos(20));
        engine.keepAliveTick();
        assertEquals(List.of(), control.writes, "no KeepAlive on Flux, however long the gap");

        engine.textReceived(socket, turn("StartOfTurn", 0, 0.5, 0.5, null));
        engine.textReceived(socket, turn("Update", 0, 0.5, 1.0, null));
        assertTrue(engine.closeRequested(socket, 1000, "bye", false), "the close waits for the turn");
        assertEquals(List.of("text {\"type\":\"ForceEndTurn\"}"), control.writes, "ForceEndTurn, never Finalize");
        assertEquals(SessionEngine.DROP, engine.textSent(socket, "{\"type\":\"CloseStream\"}"), "the app closed already");

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(300));
        engine.textReceived(socket, turn("EndOfTurn", 0, 0.5, 2.0, "manual"));
        assertEquals("close 1000 bye", control.writes.get(1));
        engine.closeReceived(socket, 1000, "bye");

        SessionEnd end = ends.get(0);
        assertEquals(RootCause.CLEAN, end.rootCause);
        assertEquals("/v2/listen", end.endpoint);
        assertEquals(0.0, end.lostSeconds, 1e-9);
        assertEquals(1.5, end.rescuedSeconds, 1e-9, "the turn the close would have dropped");
        assertEquals(1, end.injectedForceEndTurns);
        assertEquals(0, end.injectedFinalizes + end.injectedKeepAlives + end.injectedCloseStreams);
        assertEquals(0.3, end.flushLatencySeconds, 1e-9);
    }

    @Test
    void fluxCloseStreamMidTurnIsHeldUntilTheTurnEnds() {
        SessionEngine engine = engine("");
        Object socket = openFlux(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.textReceived(socket, turn("StartOfTurn", 0, 0.2, 0.2, null));
        assertEquals(SessionEngine.HOLD, engine.textSent(socket, "{\"type\":\"CloseStream\"}"));
        assertEquals(List.of("text {\"type\":\"ForceEndTurn\"}"), control.writes);
        assertTrue(engine.binarySent(socket, 640, null), "audio after the app's CloseStream is dropped");
        assertTrue(engine.closeRequested(socket, 1000, "", false), "a close right after waits for the CloseStream");

        engine.textReceived(socket, turn("EndOfTurn", 0, 0.2, 1.0, "manual"));
        assertEquals(List.of("text {\"type\":\"ForceEndTurn\"}", "text {\"type\":\"CloseStream\"}", "close 1000 "), control.writes,
                "then the app's CloseStream, then its close");
        engine.closeReceived(socket, 1000, "");
        assertEquals(RootCause.CLEAN, ends.get(0).rootCause);
        assertEquals(0.8, ends.get(0).rescuedSeconds, 1e-9);
    }

    /** Found by the fault matrix: Netty reports a close frame without a status as -1, the others as 1005. */
    @Test
    void aLibrarysNoStatusCloseCodeIsRfc1005() {
        SessionEngine engine = engine("");
        Object socket = openFlux(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.textReceived(socket, turn("StartOfTurn", 0, 0.0, 0.0, null));
        engine.textReceived(socket, turn("EndOfTurn", 0, 0.0, 1.0, "model"));
        engine.textSent(socket, "{\"type\":\"CloseStream\"}");
        engine.closeReceived(socket, -1, "");
        assertEquals(RootCause.CLEAN, ends.get(0).rootCause, "Flux's statusless close after CloseStream, as Netty reports it");
        assertEquals(1005, ends.get(0).closeCode);
    }

    @Test
    void fluxCloseStreamWithoutATurnGoesOutAndItsStatuslessCloseIsClean() {
        SessionEngine engine = engine("");
        Object socket = openFlux(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.textReceived(socket, turn("StartOfTurn", 0, 0.0, 0.0, null));
        engine.textReceived(socket, turn("EndOfTurn", 0, 0.0, 1.0, "model"));
        assertEquals(SessionEngine.SEND, engine.textSent(socket, "{\"type\":\"CloseStream\"}"));
        engine.closeReceived(socket, 1005, "");
        assertEquals(List.of(), control.writes);
        assertEquals(RootCause.CLEAN, ends.get(0).rootCause, "Flux's normal end: CloseStream, then a close without status code");
        assertEquals(0.0, ends.get(0).lostSeconds, 1e-9);
    }

    @Test
    void fluxCloseStreamLeavingATurnUnfinishedIsUnflushedAndObserveWritesNothing() {
        SessionEngine engine = engine("mode=observe");
        Object socket = openFlux(engine);
        engine.binarySent(socket, 2 * ONE_SECOND, null);
        engine.textReceived(socket, turn("StartOfTurn", 0, 0.0, 0.0, null));
        engine.textReceived(socket, turn("EndOfTurn", 0, 0.0, 1.0, "model"));
        engine.textReceived(socket, turn("StartOfTurn", 1, 1.2, 1.2, null));
        engine.textReceived(socket, turn("Update", 1, 1.2, 2.0, null));
        assertEquals(SessionEngine.SEND, engine.textSent(socket, "{\"type\":\"CloseStream\"}"));
        assertFalse(engine.closeRequested(socket, 1000, "", false));
        engine.closeReceived(socket, 1005, "");
        assertEquals(List.of(), control.writes, "observe mode never writes");
        assertEquals(RootCause.CLIENT_CLOSE_UNFLUSHED, ends.get(0).rootCause);
        assertEquals(1.0, ends.get(0).lostSeconds, 1e-9, "the unfinished turn (and what followed) is lost");
    }

    @Test
    void forceEndTurnWithNoActiveTurnIsAnsweredByAWarningAndTheCloseGoesAtOnce() {
        SessionEngine engine = engine("");
        Object socket = openFlux(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.textReceived(socket, turn("StartOfTurn", 0, 0.1, 0.1, null));
        engine.textReceived(socket, turn("EndOfTurn", 0, 0.1, 0.6, "model"));
        engine.textReceived(socket, turn("Update", 1, 0.6, 0.75, null));
        assertTrue(engine.closeRequested(socket, 1000, "", false), "audio after the last EndOfTurn may be a new turn");
        engine.textReceived(socket, "{\"type\":\"Warning\",\"code\":\"NO_ACTIVE_TURN\",\"description\":\"x\"}");
        assertEquals(List.of("text {\"type\":\"ForceEndTurn\"}", "close 1000 "), control.writes);
        engine.closeReceived(socket, 1000, "");
        assertEquals(RootCause.CLEAN, ends.get(0).rootCause, "no turn was open: the trailing audio was silence");
        assertEquals(0.0, ends.get(0).lostSeconds, 1e-9);
    }

    @Test
    void aWarningWhileATurnIsOpenIsNotTheAnswer() {
        SessionEngine engine = engine("");
        Object socket = openFlux(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.textReceived(socket, turn("StartOfTurn", 0, 0.0, 0.0, null));
        assertTrue(engine.closeRequested(socket, 1000, "", false));
        engine.textReceived(socket, "{\"type\":\"Warning\",\"code\":\"SOMETHING_ELSE\"}");
        assertEquals(List.of("text {\"type\":\"ForceEndTurn\"}"), control.writes, "still waiting for the EndOfTurn");
        engine.textReceived(socket, turn("EndOfTurn", 0, 0.0, 1.0, "manual"));
        assertEquals("close 1000 ", control.writes.get(1));
    }

    @Test
    void aHeldCloseStreamGoesOutOnceAfterTheTimeoutAndItsStatuslessCloseCountsTheOpenTurnAsLost() throws Exception {
        SessionEngine engine = engine("finalize.timeout=100ms");
        Object socket = openFlux(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.textReceived(socket, turn("StartOfTurn", 0, 0.0, 0.0, null));
        assertEquals(SessionEngine.HOLD, engine.textSent(socket, "{\"type\":\"CloseStream\"}"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (control.writes.size() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(List.of("text {\"type\":\"ForceEndTurn\"}", "text {\"type\":\"CloseStream\"}"), control.writes,
                "the held CloseStream after finalize.timeout, and no close the app never asked for");
        engine.textReceived(socket, turn("EndOfTurn", 0, 0.0, 1.0, "manual"));
        assertEquals(2, control.writes.size(), "a late EndOfTurn sends nothing more");
        engine.closeReceived(socket, 1005, "");
        assertEquals(RootCause.CLEAN, ends.get(0).rootCause, "the late EndOfTurn still delivered the turn");
    }

    @Test
    void aHeldCloseStreamWithoutACloseEndsCleanOnFluxsStatuslessClose() {
        SessionEngine engine = engine("");
        Object socket = openFlux(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.textReceived(socket, turn("StartOfTurn", 0, 0.0, 0.0, null));
        assertEquals(SessionEngine.HOLD, engine.textSent(socket, "{\"type\":\"CloseStream\"}"));
        engine.textReceived(socket, turn("EndOfTurn", 0, 0.0, 1.0, "manual"));
        engine.closeReceived(socket, 1005, "");
        assertEquals(RootCause.CLEAN, ends.get(0).rootCause);
        assertEquals(1.0, ends.get(0).rescuedSeconds, 1e-9);
    }

    @Test
    void anAbnormalCloseDuringAHeldCloseStreamGoesThroughTheLibraryAtOnce() {
        SessionEngine engine = engine("");
        Object socket = openFlux(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.textReceived(socket, turn("StartOfTurn", 0, 0.0, 0.0, null));
        assertEquals(SessionEngine.HOLD, engine.textSent(socket, "{\"type\":\"CloseStream\"}"));
        assertFalse(engine.closeRequested(socket, 4000, "app error", false), "the library closes (and validates) it now");
        engine.textReceived(socket, turn("EndOfTurn", 0, 0.0, 1.0, "manual"));
        assertEquals(List.of("text {\"type\":\"ForceEndTurn\"}"), control.writes, "the hold is void: nothing more is sent");
    }

    @Test
    void finalizeOffAlsoTurnsForceEndTurnOff() {
        SessionEngine engine = engine("finalize.mode=off");
        Object socket = openFlux(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.textReceived(socket, turn("StartOfTurn", 0, 0.0, 0.0, null));
        assertEquals(SessionEngine.SEND, engine.textSent(socket, "{\"type\":\"CloseStream\"}"));
        assertFalse(engine.closeRequested(socket, 1000, "", false));
        assertEquals(List.of(), control.writes);
    }

    @Test
    void fluxSocketsWithoutPingsGetThemInActiveModeOnly() {
        String v1 = "wss://api.deepgram.com/v1/listen";
        assertEquals(20_000, engine("").tunedTimeout(null, FLUX_URL, "okhttp.ping.interval", 0));
        assertEquals(5_000, engine("").tunedTimeout(null, FLUX_URL, "okhttp.ping.interval", 5_000), "the app's own pings are kept");
        assertEquals(0, engine("").tunedTimeout(null, v1, "okhttp.ping.interval", 0), "v1 sockets are left alone");
        assertEquals(0, engine("mode=observe").tunedTimeout(null, FLUX_URL, "okhttp.ping.interval", 0), "observe mode changes nothing on the wire");
        assertEquals(0, engine("flux.ping.interval=app").tunedTimeout(null, FLUX_URL, "okhttp.ping.interval", 0));
        assertEquals(3_000, engine("flux.ping.interval=3s").tunedTimeout(null, FLUX_URL, "okhttp.ping.interval", 0));
        assertEquals(1_000, engine("okhttp.ping.interval=1s").tunedTimeout(null, FLUX_URL, "okhttp.ping.interval", 0), "the library's key wins");
        assertEquals(0, engine("").tunedTimeout(null, "wss://example.com/v2/listen", "okhttp.ping.interval", 0), "not a Deepgram host");
    }

    // ---- Error frames, Configure, reconnects --------------------------------------------------

    @Test
    void anErrorFrameRightBeforeACloseDecidesItsRootCause() {
        SessionEngine engine = engine("");
        List<String> errors = new CopyOnWriteArrayList<>();
        engine.addListener(new SessionListener() {
            @Override
            public void errorReceived(Session session, String variantLabel) {
                errors.add(variantLabel);
            }
        });
        Object rejected = open(engine);
        engine.textReceived(rejected, "{\"type\":\"Error\",\"variant\":\"UnknownMessageType\",\"description\":\"secret\",\"code\":\"E1\"}");
        engine.closeReceived(rejected, 1008, "");
        assertEquals(RootCause.MESSAGE_REJECTED, ends.get(0).rootCause, "a bare 1008: the Error says why");
        assertEquals("unknown_message_type", ends.get(0).errorLabel);

        Object idle = open(engine);
        engine.textReceived(idle, "{\"type\":\"Error\",\"variant\":\"Timeout\",\"code\":\"NET-0001\"}");
        engine.closeReceived(idle, 1011, "");
        assertEquals(RootCause.SERVER_IDLE_TIMEOUT, ends.get(1).rootCause, "the Error's code explains a bare 1011");

        Object goesOn = open(engine);
        engine.textReceived(goesOn, "{\"type\":\"Error\",\"variant\":\"InvalidConfigureMessage\",\"code\":\"UNSUPPORTED_FEATURE\"}");
        engine.textReceived(goesOn, "{\"type\":\"ConfigureFailure\"}");
        engine.closeReceived(goesOn, 1011, "NET-0000");
        assertEquals(RootCause.SERVER_PROCESSING_TIMEOUT, ends.get(2).rootCause, "an Error the stream outlived explains nothing");

        Object quiet = open(engine);
        engine.textReceived(quiet, "{\"type\":\"Error\",\"variant\":\"InvalidConfigureMessage\",\"code\":\"UNSUPPORTED_FEATURE\"}");
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        engine.closeReceived(quiet, 1011, "");
        assertEquals(RootCause.SERVER_ERROR, ends.get(3).rootCause, "an Error from long before the close explains nothing");

        Object specific = open(engine);
        engine.textReceived(specific, "{\"type\":\"Error\",\"variant\":\"InvalidConfigureMessage\",\"code\":\"UNSUPPORTED_FEATURE\"}");
        engine.closeReceived(specific, 1011, "NET-0001");
        assertEquals(RootCause.SERVER_IDLE_TIMEOUT, ends.get(4).rootCause, "the close's own reason code wins");
        assertEquals(List.of("unknown_message_type", "other", "invalid_configure_message", "invalid_configure_message",
                "invalid_configure_message"), errors);
    }

    @Test
    void configureAnswersAreCountedAndNeverTakenForResults() {
        SessionEngine engine = engine("");
        List<Boolean> answers = new CopyOnWriteArrayList<>();
        engine.addListener(new SessionListener() {
            @Override
            public void configureAnswered(Session session, boolean success) {
                answers.add(success);
            }
        });
        Object socket = open(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        for (int i = 0; i < 3; i++) {
            engine.textSent(socket, "{\"type\":\"Configure\",\"keyterms\":[\"secret\"]}");
        }
        engine.textReceived(socket, "{\"type\":\"ConfigureSuccess\",\"request_id\":\"r\"}");
        engine.textReceived(socket, "{\"type\":\"ConfigureFailure\",\"description\":\"secret\"}");
        engine.closeRequested(socket, 1000, "", false);
        engine.textReceived(socket, result(0, 1.0, true));
        engine.closeReceived(socket, 1000, "");
        assertEquals(List.of(true, false), answers);
        SessionEnd end = ends.get(0);
        assertEquals(RootCause.CLEAN, end.rootCause);
        assertEquals(3, end.configuresSent);
        assertEquals(1, end.configureFailures);
        assertEquals(1, end.configuresUnanswered);
    }

    @Test
    void theSdksReconnectChainIsCountedOnceWithThePreviousRootCause() {
        SessionEngine engine = engine("");
        List<String> reconnects = new CopyOnWriteArrayList<>();
        engine.addListener(new SessionListener() {
            @Override
            public void reconnected(Session session, RootCause previous, String previousRequestId) {
                reconnects.add(previous.label() + " " + previousRequestId);
            }
        });
        Object first = new Object();
        engine.created(first, "lib", URL, "sdk-client-1");
        engine.opened(first, "req-a");
        engine.closeReceived(first, 1011, "NET-0001");

        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        Object second = new Object();
        engine.created(second, "lib", URL, "sdk-client-1");
        assertEquals(List.of("server_idle_timeout req-a"), reconnects);
        engine.failed(second, new EOFException(), 0, null);

        Object fresh = new Object();
        engine.created(fresh, "lib", URL, "sdk-client-2");
        assertEquals(1, reconnects.size(), "another client's header value is a fresh session");

        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        Object third = new Object();
        engine.created(third, "lib", URL, "sdk-client-1");
        assertEquals(List.of("server_idle_timeout req-a", "network_reset null"), reconnects, "the second failure starts the next link");
        engine.created(new Object(), "lib", URL, "sdk-client-1");
        assertEquals(2, reconnects.size(), "each end is counted once");
        engine.failed(third, new EOFException(), 0, null);

        now.addAndGet(TimeUnit.SECONDS.toNanos(16));
        engine.created(new Object(), "lib", URL, "sdk-client-1");
        assertEquals(2, reconnects.size(), "past 15 s it is a new stream, not a reconnect");

        Object cleanOne = new Object();
        engine.created(cleanOne, "lib", URL, "sdk-client-3");
        engine.opened(cleanOne, "req-c");
        engine.closeRequested(cleanOne, 1000, "", false);
        engine.closeReceived(cleanOne, 1000, "");
        engine.created(new Object(), "lib", URL, "sdk-client-3");
        assertEquals(2, reconnects.size(), "after a clean end the app opened a new stream itself");

        Object closedByApp = new Object();
        engine.created(closedByApp, "lib", URL, "sdk-client-4");
        engine.opened(closedByApp, "req-d");
        engine.closeRequested(closedByApp, 1000, "", false);
        engine.failed(closedByApp, new EOFException(), 0, null);
        engine.created(new Object(), "lib", URL, "sdk-client-4");
        assertEquals(2, reconnects.size(), "a failure after the app's own close does not make the SDK reconnect");
    }

    // ---- what the agent saved, warnings ------------------------------------------------------

    @Test
    void aRescueWithoutSampleRateIsCountedInDeepgramsOwnTiming() {
        SessionEngine engine = engine("");
        Object socket = new Object();
        engine.created(socket, "lib", "wss://api.deepgram.com/v1/listen?model=nova-3", null);
        engine.opened(socket, "req-1");
        engine.binarySent(socket, 4000, null);
        engine.textReceived(socket, result(0, 1.0, false));
        assertTrue(engine.closeRequested(socket, 1000, "", false));
        engine.textReceived(socket, result(1.0, 1.5, true));
        engine.closeReceived(socket, 1000, "");
        SessionEnd end = ends.get(0);
        assertEquals(RootCause.CLEAN, end.rootCause);
        assertEquals(1.5, end.rescuedSeconds, 1e-9, "from the results' start and duration, not from bytes");
        assertEquals(List.of("finalize"), end.savedByLabels());
    }

    @Test
    void keepAliveThroughAPauseLongerThanTheIdleWindowSavesTheSessionAndTheGapIsTheAppsOwn() {
        SessionEngine engine = engine("keepalive.interval=4s"); // the later value wins over the helper's 0
        Object socket = open(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        for (int second = 1; second <= 14; second++) {
            now.addAndGet(TimeUnit.SECONDS.toNanos(1));
            engine.keepAliveTick();
        }
        assertEquals(3, control.writes.size(), "a KeepAlive every 4 s of the 14 s pause: " + control.writes);
        engine.binarySent(socket, ONE_SECOND, null);
        engine.textSent(socket, "{\"type\":\"CloseStream\"}");
        engine.textReceived(socket, result(0, 2.0, false));
        engine.textReceived(socket, "{\"type\":\"Metadata\"}");
        engine.closeReceived(socket, 1000, "");
        SessionEnd end = ends.get(0);
        assertEquals(RootCause.CLEAN, end.rootCause);
        assertEquals(14.0, end.longestGapSeconds, 1e-9, "the agent's KeepAlives do not end the app's pause");
        assertEquals(List.of("keepalive"), end.savedByLabels());
    }

    @Test
    void aShortPauseOrAnIdleTimeoutIsNotASave() {
        SessionEngine engine = engine("keepalive.interval=4s"); // the later value wins over the helper's 0
        Object shortPause = open(engine);
        engine.binarySent(shortPause, ONE_SECOND, null);
        now.addAndGet(TimeUnit.SECONDS.toNanos(5));
        engine.keepAliveTick();
        engine.binarySent(shortPause, ONE_SECOND, null);
        engine.closeReceived(shortPause, 1011, "NET-0000");
        assertEquals(List.of(), ends.get(0).savedByLabels(), "5 s is within Deepgram's idle window");

        Object died = open(engine);
        engine.binarySent(died, ONE_SECOND, null);
        now.addAndGet(TimeUnit.SECONDS.toNanos(12));
        engine.keepAliveTick();
        engine.closeReceived(died, 1011, "NET-0001");
        assertEquals(List.of(), ends.get(1).savedByLabels(), "the session did not live");
    }

    @Test
    void warningsAreRaisedOncePerSessionFromTheUrlAndTheFirstFrames() {
        SessionEngine engine = engine("");
        List<String> warnings = new CopyOnWriteArrayList<>();
        engine.addListener(new SessionListener() {
            @Override
            public void warning(Session session, dev.deepgramagent.core.diagnostics.SessionWarning warning, String detail) {
                warnings.add(warning.label());
            }
        });
        Object socket = new Object();
        engine.created(socket, "lib", "wss://api.deepgram.com/v1/listen?encoding=linear16&sample_rate=16000&utterance_end_ms=1000", null);
        engine.opened(socket, "req-1");
        assertEquals(List.of("utterance_end_without_interim_results"), warnings);

        byte[] wav = new byte[44 + 640];
        System.arraycopy("RIFF".getBytes(), 0, wav, 0, 4);
        System.arraycopy("WAVEfmt ".getBytes(), 0, wav, 8, 8);
        wav[22] = 2;                                        // channels
        wav[24] = (byte) 0x44; wav[25] = (byte) 0xAC;       // 44100 Hz
        engine.binarySent(socket, wav.length, wav);
        engine.binarySent(socket, 641, new byte[641]);
        engine.binarySent(socket, 640, wav);
        assertEquals(List.of("utterance_end_without_interim_results", "container_in_raw_stream", "sample_rate_mismatch",
                "channels_mismatch"), warnings, "no partial_samples after a container: the sizes of its bytes mean nothing");

        Object odd = new Object();
        engine.created(odd, "lib", URL, null);
        for (int i = 0; i < 10; i++) {
            engine.binarySent(odd, 641, new byte[641]);
        }
        assertEquals("partial_samples", warnings.get(4));
        assertEquals(5, warnings.size(), "once per session");

        engine.closeReceived(socket, 1000, "");
        assertEquals(7, Integer.bitCount(ends.get(0).warnings) + 3, "the end carries the session's warnings");
    }

    @Test
    void aFailingPreflightStopsForThatSessionAndNeverDegradesTheAgent() {
        SessionEngine engine = engine("");
        engine.register("broken", new SocketControl() {
            @Override
            public boolean sendText(Object socket, Object state, String text) {
                return true;
            }

            @Override
            public boolean close(Object socket, Object state, int code, String reason) {
                return true;
            }

            @Override
            public byte[] audioHead(Object payload, int max) {
                throw new IllegalStateException("unreadable payload");
            }
        });
        boolean degradedBefore = dev.deepgramagent.errors.InternalErrors.degraded();
        long before = dev.deepgramagent.errors.InternalErrors.count(dev.deepgramagent.errors.InternalErrors.Kind.DIAGNOSTIC);
        Object socket = new Object();
        engine.created(socket, "broken", URL, null);
        engine.opened(socket, "req-1");
        for (int i = 0; i < 10; i++) {
            assertFalse(engine.binarySent(socket, 641, new Object()), "the app's frames go out");
        }
        assertEquals(before + 1, dev.deepgramagent.errors.InternalErrors.count(dev.deepgramagent.errors.InternalErrors.Kind.DIAGNOSTIC),
                "counted once: the preflight stopped after the failure");
        assertEquals(degradedBefore, dev.deepgramagent.errors.InternalErrors.degraded(), "a diagnostic failure never degrades the agent");
        assertEquals(0, engine.sessions().get(0).preflightFramesLeft);
    }

    /** A library that neither pings nor times a close out on its own (as the JDK's client): the engine does both. */
    static final class BareControl extends RecordingControl {
        final List<String> actions = new CopyOnWriteArrayList<>();
        final CountDownLatch aborted = new CountDownLatch(1);

        @Override
        public boolean pingsOnItsOwn() {
            return false;
        }

        @Override
        public boolean timesOutCloseOnItsOwn() {
            return false;
        }

        @Override
        public boolean sendPing(Object socket, Object state) {
            actions.add("ping");
            return true;
        }

        @Override
        public void abort(Object socket, Object state) {
            actions.add("abort");
            aborted.countDown();
        }

        @Override
        public Object newState() {
            return "state";
        }

        @Override
        public Object deferredCloseResult(Object socket, Object state) {
            return "later:" + state;
        }
    }

    /** Registers {@code bare} as the jdk library and opens a socket of it on {@code url}. */
    private static Object openOn(SessionEngine engine, BareControl bare, String url) {
        engine.register("jdk", bare);
        Object socket = new Object();
        assertNotNull(engine.created(socket, "jdk", url, null));
        engine.opened(socket, "req-1");
        return socket;
    }

    @Test
    void aSessionFollowsItsSocketFromTheHandshakeToTheLibrarysObject() {
        SessionEngine engine = engine("");
        Object handshake = new Object();
        Object transport = new Object();
        Object webSocket = new Object();
        assertNotNull(engine.created(handshake, "lib", URL, null));
        engine.opened(handshake, "req-1");
        engine.rekeyed(handshake, transport);
        engine.rekeyed(transport, webSocket);
        assertEquals(1, engine.openSessions());
        assertFalse(engine.binarySent(handshake, ONE_SECOND, null), "the old keys name nothing");
        engine.binarySent(webSocket, ONE_SECOND, null);
        assertTrue(engine.closeRequested(webSocket, 1000, "", false));
        assertEquals(List.of("text {\"type\":\"Finalize\"}"), control.writes);
        engine.textReceived(webSocket, result(0, 1.0, true));
        engine.closeReceived(webSocket, 1000, "");
        assertEquals(RootCause.CLEAN, ends.get(0).rootCause);
        assertEquals(1.0, ends.get(0).audioSeconds, 1e-9);
    }

    @Test
    void aHandshakeThatFailsWithoutAResponseEndsTheSession() {
        SessionEngine engine = engine("");
        Object handshake = new Object();
        engine.created(handshake, "lib", URL, null);
        java.util.concurrent.CompletableFuture<Object> outcome = new java.util.concurrent.CompletableFuture<>();
        engine.handshakeStarted(handshake, outcome);
        outcome.completeExceptionally(new java.net.http.HttpConnectTimeoutException("connect timed out"));
        assertEquals(RootCause.CLIENT_TIMEOUT, ends.get(0).rootCause);
    }

    @Test
    void textInPartsIsHandledOnceWhole() {
        SessionEngine engine = engine("");
        Object socket = open(engine);
        engine.binarySent(socket, ONE_SECOND, null);
        assertTrue(engine.closeRequested(socket, 1000, "", false));
        String whole = result(0, 1.0, true);
        engine.textPartReceived(socket, whole.substring(0, 20), false);
        engine.textPartReceived(socket, whole.substring(20, 40), false);
        assertEquals(1, control.writes.size(), "a part is not a message");
        engine.textPartReceived(socket, whole.substring(40), true);
        assertEquals("close 1000 ", control.writes.get(1), "the joined message answered the flush");
    }

    @Test
    void anUnansweredCloseIsAbortedAfterTheLibrarysCloseTimeout() throws Exception {
        BareControl bare = new BareControl();
        SessionEngine engine = engine("jdk.close.timeout=100ms");
        Object socket = openOn(engine, bare, URL);
        assertFalse(engine.closeRequested(socket, 1000, "", false), "nothing to flush: the library closes");
        assertTrue(bare.aborted.await(5, TimeUnit.SECONDS), "aborted after jdk.close.timeout");
        assertEquals(RootCause.CLOSE_TIMEOUT, ends.get(0).rootCause);
    }

    @Test
    void anAnsweredCloseIsNotAborted() throws Exception {
        BareControl bare = new BareControl();
        SessionEngine engine = engine("jdk.close.timeout=100ms");
        Object socket = openOn(engine, bare, URL);
        engine.closeRequested(socket, 1000, "", false);
        engine.closeReceived(socket, 1000, "");
        assertFalse(bare.aborted.await(300, TimeUnit.MILLISECONDS));
        assertEquals(RootCause.CLEAN, ends.get(0).rootCause);
    }

    @Test
    void idleFluxSocketsOfLibrariesWithoutPingsArePingedByTheEngine() {
        BareControl bare = new BareControl();
        SessionEngine engine = engine("flux.ping.interval=5s");
        Object socket = openOn(engine, bare, FLUX_URL);
        now.addAndGet(TimeUnit.SECONDS.toNanos(3));
        engine.keepAliveTick();
        assertEquals(List.of(), bare.actions, "not idle long enough");
        now.addAndGet(TimeUnit.SECONDS.toNanos(3));
        engine.keepAliveTick();
        assertEquals(List.of("ping"), bare.actions);
        engine.binarySent(socket, 640, null);
        now.addAndGet(TimeUnit.SECONDS.toNanos(4));
        engine.keepAliveTick();
        assertEquals(List.of("ping"), bare.actions, "audio keeps it busy");
        assertEquals(List.of(), bare.writes, "never KeepAlive on Flux");
    }

    @Test
    void aDeferredCloseIsCarriedOutEvenWhenTheServerEndsTheSessionFirst() {
        BareControl bare = new BareControl();
        SessionEngine engine = engine("");
        Object socket = openOn(engine, bare, URL);
        engine.binarySent(socket, ONE_SECOND, null);
        assertTrue(engine.closeRequested(socket, 1000, "bye", false));
        assertEquals("later:state", engine.deferredCloseResult(socket), "the adapter's answer, with its own state");
        engine.closeReceived(socket, 1011, "NET-0000");
        assertEquals(List.of("text {\"type\":\"Finalize\"}", "close 1000 bye"), bare.writes,
                "the app's close still goes through the library, which completes what it returned");
    }

    /** A library that can describe its sockets (adoption after an attach). */
    static final class DescribingControl extends RecordingControl {
        final java.util.Map<Object, String> urls = new java.util.IdentityHashMap<>();
        int describes;

        @Override
        public String[] describe(Object socket) {
            describes++;
            String url = urls.get(socket);
            return url == null ? null : new String[] {url, null};
        }
    }

    @Test
    void afterAnAttachASocketOpenedBeforeIsAdoptedAtItsNextFrame() {
        DescribingControl lib = new DescribingControl();
        SessionEngine engine = engine("");
        engine.register("lib", lib);
        List<Session> adopted = new CopyOnWriteArrayList<>();
        engine.addListener(new SessionListener() {
            @Override
            public void adopted(Session session) {
                adopted.add(session);
            }
        });
        Object before = new Object();
        Object other = new Object();
        lib.urls.put(before, URL);
        lib.urls.put(other, "wss://example.com/v1/listen");
        assertFalse(engine.binarySent(before, ONE_SECOND, null));
        assertEquals(0, engine.openSessions(), "started with the JVM: every socket was seen created, nothing to adopt");

        engine.adoptOpenSockets();
        engine.binarySent(before, ONE_SECOND, null);
        assertEquals(1, engine.openSessions());
        assertEquals(1, adopted.size());
        assertEquals(Session.State.OPEN, adopted.get(0).state());
        engine.binarySent(other, 640, null);
        engine.binarySent(other, 640, null);
        assertEquals(1, engine.openSessions(), "not a Deepgram socket");
        assertEquals(2, lib.describes, "each socket described once");

        assertTrue(engine.closeRequested(before, 1000, "", false), "the adopted session's close is deferred");
        assertEquals(List.of("text {\"type\":\"Finalize\"}"), lib.writes);
        engine.textReceived(before, result(41.0, 1.0, true)); // result times count from the stream's start
        engine.closeReceived(before, 1000, "");
        SessionEnd end = ends.get(0);
        assertEquals(RootCause.CLEAN, end.rootCause);
        assertTrue(end.adopted);
        assertEquals(0.0, end.lostSeconds, 1e-9, "no seconds to compare: the audio before the adoption is unknown");

        engine.closeRequested(before, 1000, "", false);
        assertEquals(0, engine.openSessions(), "an ended session's late events do not adopt it again");
    }
}
