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

    /** OkHttp's table (FaultRows): every end, its own read/ping timeout included. */
    static Stream<Arguments> rootCauses() {
        List<Arguments> out = new ArrayList<>();
        for (String mode : modes()) {
            for (Object[] r : FaultRows.table("okhttp")) {
                out.add(Arguments.of(r[0], mode, r[1], r[2], r[3]));
            }
        }
        return out.stream();
    }

    /**
     * The same ends on the JDK's java.net.http.WebSocket. It has no read or ping timeout of its own
     * (no client_timeout row; its handshake timeout is in JdkClientTest), and waits forever for an
     * unanswered close, which jdk.close.timeout bounds.
     */
    static Stream<Arguments> jdkRootCauses() {
        List<Arguments> out = new ArrayList<>();
        for (String mode : modes()) {
            for (Object[] r : FaultRows.table("jdk")) {
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
