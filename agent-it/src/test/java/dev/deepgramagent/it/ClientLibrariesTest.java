package dev.deepgramagent.it;

import dev.deepgramagent.simulator.SessionRecord;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's promises on the client libraries beyond OkHttp, the JDK client and Netty, each the
 * sample app on one stack of agent-it/stacks: nv-websocket-client 2.14 (Deepgram's own Java example,
 * {@code library="nv-websocket"}), Java-WebSocket 1.6.0 ({@code library="java-websocket"}),
 * Jetty 12.1's WebSocket client ({@code library="jetty"}) and Jakarta WebSocket on Tyrus 2.2's standalone
 * client (stack tyrus, {@code library="jakarta"}). {@link FaultRows#library} gives a stack's label.
 */
@Execution(ExecutionMode.CONCURRENT) // every test forks its own JVMs and opens its own simulator sessions
class ClientLibrariesTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    @RegisterExtension
    static final SimulatorExtension FAST_SIM = SimulatorExtension.withLatency(java.time.Duration.ofMillis(300));

    /** The sample app's client argument for a stack, and the library label its sessions carry (the stack's name). */
    static String client(String stack) {
        switch (stack) {
            case "nv-websocket":
                return "client=dev.deepgramagent.it.stacks.NvWebSocketClient";
            case "jetty":
                return "client=dev.deepgramagent.it.stacks.JettyClient";
            case "tyrus":
                return "client=dev.deepgramagent.it.stacks.TyrusClient";
            default:
                return "client=dev.deepgramagent.it.stacks.JavaWebSocketClient";
        }
    }

    static String[] app(String stack, String... args) {
        String[] all = new String[args.length + 1];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = client(stack);
        return all;
    }

    /** 10 s of audio at real time, the app's close right after the last chunk (nv: disconnect(), as Deepgram's example). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nv-websocket", "java-websocket", "jetty", "tyrus"})
    void closeRightAfterTheLastChunkLosesNothingWithTheAgent(String stack) throws Exception {
        String[] app = app(stack, "url=" + Streaming.url(SIM.get(), null), "seconds=10", "realtime=true", "end=close");
        CompletableFuture<Streaming.Outcome> plain = Streaming.runAsync(stack, null, app);
        CompletableFuture<Streaming.Outcome> agent = Streaming.runAsync(stack, "", app);

        Streaming.Outcome with = agent.get(90, TimeUnit.SECONDS);
        assertEquals(500, with.words(), "every chunk transcribed with the agent\n" + with);
        Map<String, String> end = with.end();
        assertEquals("clean", end.get("root_cause"), with.toString());
        assertEquals(FaultRows.library(stack), end.get("library"), with.toString());
        assertEquals("0.0", end.get("audio_lost_seconds"), with.toString());
        assertEquals("1", end.get("injected_finalize"), with.toString());
        assertFalse(with.jvm.stderr().contains("internal error"), with.toString());

        Streaming.Outcome without = plain.get(90, TimeUnit.SECONDS);
        assertTrue(without.words() <= 475, "without the agent at least the last 0.5 s is lost: " + without.words() + "\n" + without);
    }

    /** 2 s of audio, a 25 s pause, 2 s more, close: Deepgram's 10 s idle window falls in the pause. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nv-websocket", "java-websocket", "jetty", "tyrus"})
    void longPauseSurvivesWithKeepAlive(String stack) throws Exception {
        String[] app = app(stack, "url=" + Streaming.url(SIM.get(), null), "seconds=4", "realtime=true", "pause_after=2",
                "pause=25", "end=close", "wait=20");
        CompletableFuture<Streaming.Outcome> plain = Streaming.runAsync(stack, null, app);
        CompletableFuture<Streaming.Outcome> agent = Streaming.runAsync(stack, "", app);

        Streaming.Outcome with = agent.get(120, TimeUnit.SECONDS);
        assertEquals(200, with.words(), "every transcript arrives\n" + with);
        assertEquals("clean", with.rootCause(), with.toString());
        assertTrue(Integer.parseInt(with.end().get("injected_keepalive")) >= 4, with.toString());
        assertFalse(with.jvm.stdout().contains("CLOSING 1011"), with.toString());

        Streaming.Outcome without = plain.get(120, TimeUnit.SECONDS);
        assertTrue(without.jvm.stdout().contains("CLOSING 1011 NET-0001"), "Deepgram's idle timeout\n" + without);
        assertTrue(without.words() < 200, without.toString());
    }

    /** Flux: close in the middle of a turn; the agent ends the turn first, never with a v1 message. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nv-websocket", "java-websocket", "jetty", "tyrus"})
    void aFluxMidTurnCloseDeliversTheTurn(String stack) throws Exception {
        String[] app = app(stack, "url=" + SIM.get().fluxUrl() + FluxTest.FLUX_QUERY, "seconds=3", "realtime=true", "end=close",
                "wait=10");
        CompletableFuture<Streaming.Outcome> plain = Streaming.runAsync(stack, null, app);
        Streaming.Outcome with = Streaming.run(stack, "", app);
        assertEquals(150, with.words(), with.toString());
        assertEquals("clean", with.rootCause(), with.toString());
        assertEquals("1", with.end().get("injected_forceendturn"), with.toString());
        SessionRecord record = with.record(SIM.get());
        assertEquals(List.of("ForceEndTurn"), record.controlMessages());
        assertEquals(0, plain.get(90, TimeUnit.SECONDS).words(), "without the agent the close drops the turn");
    }

    /** A WebSocket to another path of the same host is no Deepgram session: no KeepAlive in a pause, no Finalize before its close. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nv-websocket", "java-websocket", "jetty", "tyrus"})
    void anotherSocketIsUntouched(String stack) throws Exception {
        String[] app = app(stack, "url=" + SIM.get().echoUrl() + "?stack=" + stack, "seconds=1", "realtime=true",
                "pause_after=0.5", "pause=1.5", "text=hello", "end=close", "wait=3");
        Streaming.Outcome with = Streaming.run(stack, "keepalive.interval=200ms,log.level=debug", app);
        assertFalse(with.jvm.stderr().contains("tracking a Deepgram"), with.toString());
        assertTrue(with.jvm.stdout().contains("TEXT sent=true"), with.toString());
        List<SessionRecord> sessions = new ArrayList<>();
        for (SessionRecord r : SIM.get().sessions()) {
            if (stack.equals(r.query().get("stack"))) {
                sessions.add(r); // tests run concurrently: this test's own socket only
            }
        }
        assertEquals(1, sessions.size(), sessions.toString());
        sessions.get(0).awaitEnd(10, TimeUnit.SECONDS);
        assertEquals(List.of("hello"), sessions.get(0).controlMessages(), "only the app's own text message");
        assertEquals(50, sessions.get(0).audioFrames());
    }

    /** {@code <library>.handshake.timeout}: a handshake to a server that accepts the connection and never answers. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nv-websocket", "java-websocket", "jetty"})
    void aHandshakeThatNeverCompletesEndsAtTheConfiguredTimeout(String stack) throws Exception {
        try (Blackhole blackhole = new Blackhole()) {
            Streaming.Outcome with = Streaming.run(stack, stack + ".handshake.timeout=1s",
                    app(stack, "url=" + blackhole.listenUrl(), "seconds=1", "end=close"));
            assertEquals("client_timeout", with.rootCause(), with.toString());
            assertEquals(stack, with.end().get("library"), with.toString());
            assertTrue(Double.parseDouble(with.end().get("duration_seconds")) < 5, with.toString());
            assertTrue(with.jvm.stdout().contains("FAILURE"), "the app's connect failed rather than waiting for the library's own limit\n" + with);
        }
    }

    /** Tyrus's async remote (a Future per send): the same rescue as its blocking sends. */
    @org.junit.jupiter.api.Test
    void tyrusAsyncSendsAreRescuedToo() throws Exception {
        Streaming.Outcome with = Streaming.run("tyrus", "",
                app("tyrus", "url=" + Streaming.url(SIM.get(), null), "seconds=4", "realtime=true", "end=close", "async=true"));
        assertEquals(200, with.words(), "every chunk transcribed with the agent\n" + with);
        assertEquals("clean", with.rootCause(), with.toString());
        assertEquals("1", with.end().get("injected_finalize"), with.toString());
        assertEquals("0.0", with.end().get("audio_lost_seconds"), with.toString());
    }

    /**
     * A connection that never comes (nothing listens on the port): Tyrus throws to the app without
     * telling its engine; the session ends at once as network_reset, not at the agent's sweep.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"active", "observe"})
    void aTyrusConnectionThatNeverComesEndsAtOnce(String mode) throws Exception {
        int port = ForkedJvm.freePort(); // free: nothing listens there
        Streaming.Outcome with = Streaming.run("tyrus", "mode=" + mode,
                app("tyrus", "url=ws://127.0.0.1:" + port + "/v1/listen?encoding=linear16&sample_rate=16000", "seconds=1", "end=close"));
        assertEquals("network_reset", with.rootCause(), with.toString());
        assertEquals("jakarta", with.end().get("library"), with.toString());
        assertTrue(Double.parseDouble(with.end().get("duration_seconds")) < 5, with.toString());
        assertTrue(with.jvm.stdout().contains("FAILURE"), with.toString());
    }

    /**
     * Tyrus bounds the handshake itself (ClientProperties.HANDSHAKE_TIMEOUT, 30 s by default; the app sets
     * 1 s here): when it runs out the session ends as client_timeout at once, not at the agent's sweep.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"active", "observe"})
    void tyrusOwnHandshakeTimeoutIsAClientTimeout(String mode) throws Exception {
        try (Blackhole blackhole = new Blackhole()) {
            Streaming.Outcome with = Streaming.run("tyrus", "mode=" + mode,
                    app("tyrus", "url=" + blackhole.listenUrl(), "seconds=1", "end=close", "handshake_ms=1000"));
            assertEquals("client_timeout", with.rootCause(), with.toString());
            assertEquals("jakarta", with.end().get("library"), with.toString());
            assertTrue(Double.parseDouble(with.end().get("duration_seconds")) < 5, with.toString());
            assertTrue(with.jvm.stdout().contains("FAILURE"), with.toString());
        }
    }

    /**
     * Every end each client can meet (FaultRows.table says which each lacks, and why). nv-websocket's
     * unanswered close ends at disconnect's close delay; Java-WebSocket waits for nothing after its
     * close, so java-websocket.close.timeout bounds an unanswered one; Jetty waits for Deepgram's close
     * until its idle timeout, which jetty.close.timeout undercuts.
     */
    static Stream<Arguments> rootCauses() {
        List<Arguments> out = new ArrayList<>();
        for (String stack : new String[] {"nv-websocket", "java-websocket", "jetty", "tyrus"}) {
            for (String mode : RootCauseTest.modes()) {
                for (Object[] r : FaultRows.table(stack)) {
                    out.add(Arguments.of(stack, r[0], mode, r[1], r[2], r[3]));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1} ({2})")
    @MethodSource("rootCauses")
    void classifiesEveryEnd(String stack, String expected, String mode, String query, String appArgs, String agentOptions)
            throws Exception {
        List<String> args = new ArrayList<>();
        args.add("url=" + Streaming.url(FAST_SIM.get(), query));
        args.addAll(List.of(appArgs.split(" ")));
        args.add(client(stack));
        String options = "mode=" + mode + (agentOptions.isEmpty() ? "" : "," + agentOptions);
        Streaming.Outcome outcome = Streaming.run(stack, options, args.toArray(new String[0]));
        assertEquals(expected, outcome.rootCause(), outcome.toString());
        assertEquals(FaultRows.library(stack), outcome.end().get("library"), outcome.toString());
        if (mode.equals("observe")) {
            assertEquals("0", outcome.end().get("injected_finalize"), outcome.toString());
            assertEquals("0", outcome.end().get("injected_keepalive"), outcome.toString());
        }
        assertFalse(outcome.jvm.stderr().contains("internal error"), outcome.toString());
    }

    /**
     * nv-websocket's disconnect with a close delay of 0 does not wait for Deepgram's close: the end is
     * the app's own close (not a close timeout), rescued by the agent and unflushed without it.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"active", "observe"})
    void anNvDisconnectThatDoesNotWaitEndsAsTheAppsClose(String mode) throws Exception {
        Streaming.Outcome outcome = Streaming.run("nv-websocket", "mode=" + mode,
                app("nv-websocket", "url=" + Streaming.url(FAST_SIM.get(), null), "seconds=1.5", "end=close", "nv_close_delay=0"));
        assertEquals(mode.equals("active") ? "clean" : "client_close_unflushed", outcome.rootCause(), outcome.toString());
        assertFalse(outcome.jvm.stderr().contains("internal error"), outcome.toString());
    }

    /**
     * One app with OkHttp, nv-websocket-client and Java-WebSocket streaming at the same time: every
     * session is counted once, under its own library, in the log and in the metrics, and each is rescued.
     */
    @org.junit.jupiter.api.Test
    void threeLibrariesInOneAppAreEachCountedOnceUnderTheirOwnLabel() throws Exception {
        int port = ForkedJvm.freePort();
        ForkedJvm.Result r = ForkedJvm.app(dev.deepgramagent.it.apps.MixedClientsApp.class).stack("nv-websocket", "java-websocket")
                .withAgent("hosts=127.0.0.1,log.format=json,log.sessions=all,metrics.host=127.0.0.1,metrics.port=" + port)
                .args(Streaming.url(SIM.get(), null), String.valueOf(port)).run();
        Streaming.Outcome outcome = new Streaming.Outcome(r);
        assertTrue(r.stdout().contains("DONE"), r.toString());
        assertTrue(r.stdout().contains("WORDS 300"), "every chunk of the three sessions\n" + r);
        List<Map<String, String>> ends = outcome.sessionEnds();
        assertEquals(3, ends.size(), r.toString());
        for (String library : new String[] {"okhttp", "nv-websocket", "java-websocket"}) {
            List<Map<String, String>> mine = ends.stream().filter(e -> library.equals(e.get("library"))).toList();
            assertEquals(1, mine.size(), library + "\n" + r);
            assertEquals("clean", mine.get(0).get("root_cause"), r.toString());
            assertEquals("1", mine.get(0).get("injected_finalize"), r.toString());
            String l = "library=\"" + library + "\"";
            assertTrue(r.stdout().contains("METRIC deepgram_agent_sessions_opened_total{" + l + ",endpoint=\"/v1/listen\",} 1.0"), l + "\n" + r);
            assertTrue(r.stdout().contains("METRIC deepgram_agent_sessions_ended_total{" + l + ",endpoint=\"/v1/listen\",root_cause=\"clean\",} 1.0"),
                    l + "\n" + r);
            assertTrue(r.stdout().contains("METRIC deepgram_agent_sessions_active{" + l + ",} 0.0"), l + "\n" + r);
            assertTrue(r.stdout().contains("METRIC deepgram_agent_audio_sent_bytes_total{" + l + ",} 64000.0"), l + "\n" + r);
        }
        assertFalse(r.stderr().contains("internal error"), r.toString());
    }
}
