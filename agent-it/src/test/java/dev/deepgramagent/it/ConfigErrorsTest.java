package dev.deepgramagent.it;

import dev.deepgramagent.it.apps.PlainApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad configuration: one clear stderr line each, and the app runs exactly as it would. */
class ConfigErrorsTest {

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
                // name, agent args, system property, environment variable, words the line must contain
                Arguments.of("unknown key", "colour=blue", null, null, List.of("unknown key 'colour'", "known keys:")),
                Arguments.of("bad enum value", "mode=loud", null, null, List.of("mode=loud", "active|observe")),
                Arguments.of("negative duration", "init.timeout=-2s", null, null, List.of("init.timeout=-2s", "negative", "duration")),
                Arguments.of("malformed argument string", "mode", null, null, List.of("malformed agent argument 'mode'", "key=value")),
                Arguments.of("missing key", "=observe", null, null, List.of("malformed agent argument '=observe'")),
                Arguments.of("unreadable value", "init.timeout=soon", null, null, List.of("init.timeout=soon", "not a duration")),
                Arguments.of("unreadable boolean", "enabled=yes please", null, null, List.of("enabled=yes please", "true|false")),
                Arguments.of("bad system property", null, "-Ddeepgram.agent.log.format=xml", null, List.of("log.format=xml", "text|json", "-Ddeepgram.agent.log.format")),
                Arguments.of("unknown system property", null, "-Ddeepgram.agent.colour=red", null, List.of("deepgram.agent.colour")),
                Arguments.of("bad environment value", null, null, "DEEPGRAM_AGENT_HOSTS=bad host!", List.of("hosts=bad host!", "DEEPGRAM_AGENT_HOSTS")),
                Arguments.of("unknown environment variable", null, null, "DEEPGRAM_AGENT_COLOUR=red", List.of("DEEPGRAM_AGENT_COLOUR")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void oneLinePerProblemAndTheAppRunsNormally(String name, String agentArgs, String property, String env,
                                                List<String> expected) throws Exception {
        ForkedJvm jvm = ForkedJvm.app(PlainApp.class).withAgent(agentArgs);
        if (property != null) {
            jvm.jvmArg(property);
        }
        if (env != null) {
            String[] kv = env.split("=", 2);
            jvm.env(kv[0], kv[1]);
        }
        ForkedJvm.Result result = jvm.run();

        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("plain app started\nplain app done\n", result.stdout(), result.toString());
        List<String> configLines = result.stderrLines().stream().filter(l -> l.startsWith("deepgram-agent: config: ")).toList();
        assertEquals(1, configLines.size(), result.toString());
        for (String word : expected) {
            assertTrue(configLines.get(0).contains(word), "'" + word + "' not in: " + configLines.get(0));
        }
        // Nothing else on stderr but, at most, the agent's own start-up line.
        assertEquals("", result.stderrWithoutAgent(), result.toString());
    }
}
