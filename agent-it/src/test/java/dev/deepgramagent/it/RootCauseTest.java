package dev.deepgramagent.it;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every root cause, per client library, reproduced with a simulator fault or an app behaviour, classified by the
 * packaged agent in a forked JVM, in active and in observe mode.
 */
@Execution(ExecutionMode.CONCURRENT) // each row is its own forked JVM and its own simulator session
class RootCauseTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.withLatency(java.time.Duration.ofMillis(300));

    /**
     * The agent modes the root-cause tables run in: both by default; {@code -Dit.modes=active} for a
     * second JDK's pass (observe mode's rows run the same advice, only without the agent's writes).
     */
    static String[] modes() {
        return System.getProperty("it.modes", "active,observe").split(",");
    }

    static Stream<Arguments> rootCauses() {
        Object[][] rows = {
                // root cause, simulator query, app arguments, extra agent options
                {"clean", "", "seconds=1 end=closestream", ""},
                {"client_close_unflushed", "sim_fault=ignore_finalize", "seconds=1.5 end=close", "finalize.timeout=500ms"},
                {"server_idle_timeout", "sim_idle_timeout=1s", "seconds=1 pause_after=0.5 pause=3 end=close wait=5", ""},
                {"server_processing_timeout", "sim_fault=net0000&sim_fault_after=500ms", "seconds=1 realtime=true end=none wait=5", ""},
                {"bad_audio", "sim_fault=bad_audio", "seconds=1 end=none wait=5", ""},
                {"server_error", "sim_fault=close&sim_close_code=1013&sim_close_reason=overloaded&sim_fault_after=300ms",
                        "seconds=1 realtime=true end=none wait=5", ""},
                {"handshake_auth", "sim_fault=reject_401", "seconds=0 end=none wait=5", ""},
                {"handshake_rate_limited", "sim_fault=reject_429", "seconds=0 end=none wait=5", ""},
                {"handshake_rejected", "sim_fault=reject_402", "seconds=0 end=none wait=5", ""},
                {"handshake_server_error", "sim_fault=reject_503", "seconds=0 end=none wait=5", ""},
                {"network_reset", "sim_fault=reset&sim_fault_after=300ms", "seconds=1 realtime=true end=none wait=5", ""},
                {"client_timeout", "sim_fault=half_open&sim_fault_after=300ms", "seconds=1 realtime=true ping_ms=300 end=none wait=8", ""},
                {"client_cancel", "", "seconds=1 end=cancel", ""},
                {"close_timeout", "sim_fault=half_open&sim_fault_after=300ms", "seconds=1 realtime=true end=close wait=8",
                        "okhttp.close.timeout=1s,finalize.timeout=500ms"},
                {"jvm_shutdown", "", "seconds=1 realtime=true end=exit", ""},
                {"message_rejected", "", "seconds=1 text={\"type\":\"Bogus\"} end=none wait=5", ""},
        };
        List<Arguments> out = new ArrayList<>();
        for (String mode : modes()) {
            for (Object[] r : rows) {
                out.add(Arguments.of(r[0], mode, r[1], r[2], r[3]));
            }
        }
        return out.stream();
    }

    /**
     * The ends of a library without a read or ping timeout of its own (no client_timeout row), whose
     * unanswered close is bounded by {@code <library>.close.timeout}: the JDK client's and Netty's.
     */
    static Object[][] rowsWithoutClientTimeout(String library) {
        return new Object[][] {
                {"clean", "", "seconds=1 end=closestream", ""},
                {"client_close_unflushed", "sim_fault=ignore_finalize", "seconds=1.5 end=close", "finalize.timeout=500ms"},
                {"server_idle_timeout", "sim_idle_timeout=1s", "seconds=1 pause_after=0.5 pause=3 end=close wait=5", ""},
                {"server_processing_timeout", "sim_fault=net0000&sim_fault_after=500ms", "seconds=1 realtime=true end=none wait=5", ""},
                {"bad_audio", "sim_fault=bad_audio", "seconds=1 end=none wait=5", ""},
                {"server_error", "sim_fault=close&sim_close_code=1013&sim_close_reason=overloaded&sim_fault_after=300ms",
                        "seconds=1 realtime=true end=none wait=5", ""},
                {"handshake_auth", "sim_fault=reject_401", "seconds=0 end=none wait=5", ""},
                {"handshake_rate_limited", "sim_fault=reject_429", "seconds=0 end=none wait=5", ""},
                {"handshake_rejected", "sim_fault=reject_402", "seconds=0 end=none wait=5", ""},
                {"handshake_server_error", "sim_fault=reject_503", "seconds=0 end=none wait=5", ""},
                {"network_reset", "sim_fault=reset&sim_fault_after=300ms", "seconds=1 realtime=true end=none wait=5", ""},
                {"client_cancel", "", "seconds=1 end=cancel wait=1", ""},
                {"close_timeout", "sim_fault=half_open&sim_fault_after=300ms", "seconds=1 realtime=true end=close wait=3",
                        library + ".close.timeout=1s,finalize.timeout=500ms"},
                {"jvm_shutdown", "", "seconds=1 realtime=true end=exit", ""},
                {"message_rejected", "", "seconds=1 text={\"type\":\"Bogus\"} end=none wait=5", ""},
        };
    }

    /**
     * The same ends on the JDK's java.net.http.WebSocket. It has no read or ping timeout of its own
     * (no client_timeout row here; its handshake timeout is in JdkClientTest), and waits forever for
     * an unanswered close, which jdk.close.timeout bounds.
     */
    static Stream<Arguments> jdkRootCauses() {
        Object[][] rows = rowsWithoutClientTimeout("jdk");
        List<Arguments> out = new ArrayList<>();
        for (String mode : modes()) {
            for (Object[] r : rows) {
                out.add(Arguments.of(r[0], mode, r[1], r[2] + " client=jdk", r[3]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "jdk: {0} ({1})")
    @MethodSource("jdkRootCauses")
    void classifiesEveryJdkEnd(String expected, String mode, String query, String appArgs, String agentOptions) throws Exception {
        classifiesEveryEnd(expected, mode, query, appArgs, agentOptions);
    }

    @ParameterizedTest(name = "okhttp: {0} ({1})")
    @MethodSource("rootCauses")
    void classifiesEveryEnd(String expected, String mode, String query, String appArgs, String agentOptions) throws Exception {
        List<String> args = new ArrayList<>();
        args.add("url=" + Streaming.url(SIM.get(), query));
        args.addAll(List.of(appArgs.split(" ")));
        String options = "mode=" + mode + (agentOptions.isEmpty() ? "" : "," + agentOptions);
        Streaming.Outcome outcome = Streaming.run("4", options, args.toArray(new String[0]));
        assertEquals(expected, outcome.rootCause(), outcome.toString());
        assertEquals(appArgs.contains("client=jdk") ? "jdk" : "okhttp", outcome.end().get("library"), outcome.toString());
        if (mode.equals("observe")) {
            assertEquals("0", outcome.end().get("injected_finalize"), outcome.toString());
            assertEquals("0", outcome.end().get("injected_keepalive"), outcome.toString());
        }
    }
}
