package dev.deepgramagent.it;

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
 * The agent's promises on Netty-based clients, each the sample app on one stack of agent-it/stacks:
 * plain Netty 4.1 and 4.2 ({@code WebSocketClientHandshaker13}), reactor-netty 1.3 as WebFlux uses it,
 * and Vert.x 5's WebSocketClient. All of them are the one adapter, {@code library="netty"}. The agent's
 * runs of the rescue and idle tests run with Netty's paranoid leak detection: no buffer the agent
 * created, held or dropped may leak.
 */
@Execution(ExecutionMode.CONCURRENT) // every test forks its own JVMs and opens its own simulator sessions
class NettyClientTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    @RegisterExtension
    static final SimulatorExtension FAST_SIM = SimulatorExtension.withLatency(java.time.Duration.ofMillis(300));

    /** The sample app's client argument for a stack. */
    static String client(String stack) {
        switch (stack) {
            case "reactor-netty":
                return "client=dev.deepgramagent.it.stacks.ReactorNettyClient";
            case "vertx":
                return "client=dev.deepgramagent.it.stacks.VertxClient";
            default:
                return "client=netty";
        }
    }

    /** The agent's runs of the rescue and idle tests track every buffer: none may leak. */
    static final List<String> PARANOID = List.of("-Dio.netty.leakDetection.level=paranoid");

    static void noLeak(Streaming.Outcome outcome) {
        assertTrue(outcome.jvm.stdout().contains("LEAK_CHECK done"), outcome.toString());
        assertFalse(outcome.jvm.stdout().contains("LEAK:"), "a buffer leaked\n" + outcome);
    }

    static String[] app(String stack, String... args) {
        String[] all = new String[args.length + 1];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = client(stack);
        return all;
    }

    /** 10 s of audio at real time, the app's close right after the last chunk. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"netty-4.1", "netty-4.2", "reactor-netty", "vertx"})
    void closeRightAfterTheLastChunkLosesNothingWithTheAgent(String stack) throws Exception {
        String[] app = app(stack, "url=" + Streaming.url(SIM.get(), null), "seconds=10", "realtime=true", "end=close");
        CompletableFuture<Streaming.Outcome> plain = Streaming.runAsync(stack, null, app);
        CompletableFuture<Streaming.Outcome> agent = Streaming.runAsync(stack, "", PARANOID, app);

        Streaming.Outcome with = agent.get(90, TimeUnit.SECONDS);
        assertEquals(500, with.words(), "every chunk transcribed with the agent\n" + with);
        noLeak(with);
        Map<String, String> end = with.end();
        assertEquals("clean", end.get("root_cause"), with.toString());
        assertEquals("netty", end.get("library"), with.toString());
        assertEquals("0.0", end.get("audio_lost_seconds"), with.toString());
        assertEquals("1", end.get("injected_finalize"), with.toString());
        assertFalse(with.jvm.stderr().contains("internal error"), with.toString());

        Streaming.Outcome without = plain.get(90, TimeUnit.SECONDS);
        assertTrue(without.words() <= 475, "without the agent at least the last 0.5 s is lost: " + without.words() + "\n" + without);
    }

    /** 2 s of audio, a 25 s pause, 2 s more, close: Deepgram's 10 s idle window falls in the pause. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"netty-4.1", "netty-4.2", "reactor-netty", "vertx"})
    void longPauseSurvivesWithKeepAlive(String stack) throws Exception {
        String[] app = app(stack, "url=" + Streaming.url(SIM.get(), null), "seconds=4", "realtime=true", "pause_after=2",
                "pause=25", "end=close", "wait=20");
        CompletableFuture<Streaming.Outcome> plain = Streaming.runAsync(stack, null, app);
        CompletableFuture<Streaming.Outcome> agent = Streaming.runAsync(stack, "", PARANOID, app);

        Streaming.Outcome with = agent.get(120, TimeUnit.SECONDS);
        assertEquals(200, with.words(), "every transcript arrives\n" + with);
        noLeak(with);
        assertEquals("clean", with.rootCause(), with.toString());
        assertTrue(Integer.parseInt(with.end().get("injected_keepalive")) >= 4, with.toString());
        assertFalse(with.jvm.stdout().contains("CLOSING 1011"), with.toString());

        Streaming.Outcome without = plain.get(120, TimeUnit.SECONDS);
        assertTrue(without.jvm.stdout().contains("CLOSING 1011 NET-0001"), "Deepgram's idle timeout\n" + without);
        assertTrue(without.words() < 200, without.toString());
    }

    /**
     * A WebSocket to another path of the same host is no Deepgram session: no handler in its pipeline,
     * no KeepAlive in a pause, no Finalize before its close; the server gets what it gets without the agent.
     * On reactor-netty the same app first makes a plain HTTP request on its Netty, to the Deepgram path
     * itself: the simulator answers it as without the agent (400, no upgrade), and no session starts.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"netty-4.1", "reactor-netty", "vertx"})
    void anotherSocketIsUntouched(String stack) throws Exception {
        String[] app = app(stack, "url=" + SIM.get().echoUrl() + "?stack=" + stack, "seconds=1", "realtime=true",
                "pause_after=0.5", "pause=1.5", "text=hello", "end=close", "wait=3",
                "http_probe=" + SIM.get().listenUrl().replace("ws://", "http://") + Streaming.AUDIO);
        Streaming.Outcome with = Streaming.run(stack, "keepalive.interval=200ms,log.level=debug", app);
        assertFalse(with.jvm.stderr().contains("tracking a Deepgram"), with.toString());
        assertTrue(with.jvm.stdout().contains("TEXT sent=true"), with.toString());
        if (stack.equals("reactor-netty")) {
            assertTrue(with.jvm.stdout().contains("HTTP status=400"), with.toString());
        }
        List<dev.deepgramagent.simulator.SessionRecord> sessions = new ArrayList<>();
        for (dev.deepgramagent.simulator.SessionRecord r : SIM.get().sessions()) {
            if (stack.equals(r.query().get("stack"))) {
                sessions.add(r); // tests run concurrently: this test's own socket only
            }
        }
        assertEquals(1, sessions.size(), sessions.toString());
        sessions.get(0).awaitEnd(10, TimeUnit.SECONDS);
        assertEquals(List.of("hello"), sessions.get(0).controlMessages(), "only the app's own text message");
        assertEquals(50, sessions.get(0).audioFrames());
    }

    /**
     * Flux's own end (CloseStream after the turn, then a close frame without a status code) is clean.
     * Netty reports that close as -1, which the fault matrix caught being read as a server error.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"netty-4.1", "reactor-netty", "vertx"})
    void fluxsOwnEndIsClean(String stack) throws Exception {
        Streaming.Outcome with = Streaming.run(stack, "", app(stack, "url=" + SIM.get().fluxUrl() + FluxTest.FLUX_QUERY, "seconds=2",
                "realtime=true", "tail_silence=0.6", "await_turn_end=true", "end=closestream", "wait=10"));
        assertEquals(100, with.words(), with.toString());
        assertEquals("clean", with.rootCause(), with.toString());
        assertEquals("1005", with.end().get("close_code"), with.toString());
        assertEquals("/v2/listen", with.end().get("endpoint"), with.toString());
    }

    /** netty.handshake.timeout: a handshake to a server that accepts the connection and never answers. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"netty-4.1", "reactor-netty", "vertx"})
    void aHandshakeThatNeverCompletesEndsAtTheConfiguredTimeout(String stack) throws Exception {
        try (Blackhole blackhole = new Blackhole()) {
            Streaming.Outcome with = Streaming.run(stack, "netty.handshake.timeout=1s",
                    app(stack, "url=" + blackhole.listenUrl(), "seconds=1", "end=close"));
            assertEquals("client_timeout", with.rootCause(), with.toString());
            assertEquals("netty", with.end().get("library"), with.toString());
            assertTrue(Double.parseDouble(with.end().get("duration_seconds")) < 5, with.toString());
        }
    }

    /** Every end a Netty client can meet (FaultRows.table says which each stack lacks, and why). */
    static Stream<Arguments> rootCauses() {
        List<Arguments> out = new ArrayList<>();
        for (String stack : new String[] {"netty-4.1", "reactor-netty", "vertx"}) {
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
        assertEquals("netty", outcome.end().get("library"), outcome.toString());
        if (mode.equals("observe")) {
            assertEquals("0", outcome.end().get("injected_finalize"), outcome.toString());
            assertEquals("0", outcome.end().get("injected_keepalive"), outcome.toString());
        }
        assertFalse(outcome.jvm.stderr().contains("internal error"), outcome.toString());
    }
}
