package dev.deepgramagent.it;

import dev.deepgramagent.it.apps.IdleApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the agent's start loads in an app that opens no WebSocket and has no OkHttp on its class
 * path (the prewoven check once counted that as "not prewoven"): its own classes, not Byte Buddy's
 * builder (about 250 ms of CPU beside the app's start-up), nor logback's context or the Prometheus
 * registry before a session or a scrape needs them.
 */
class StartPathTest {

    @Test
    void anAppWithoutOkHttpLoadsNoByteBuddyLogbackOrPrometheusAtStart(@TempDir Path dir) throws Exception {
        Path classLog = dir.resolve("classes.log");
        try (ForkedJvm.Running app = ForkedJvm.app(IdleApp.class).okhttp("none").withAgent("hosts=127.0.0.1")
                .jvmArg("-Xlog:class+load=info:file=" + classLog).start()) {
            app.awaitStdout(text -> text.contains("READY"), 60);
            app.awaitStderr(text -> text.contains(" started: mode="), 60); // the start is over
            app.send("exit");
            assertEquals(0, app.awaitExit(30).exitCode(), app.snapshot());
        }
        List<String> agentClasses = Files.readAllLines(classLog).stream()
                .filter(l -> l.contains(" dev.deepgramagent.")).collect(Collectors.toList());
        assertTrue(agentClasses.stream().anyMatch(l -> l.contains("dev.deepgramagent.install.AgentStartup ")), "the log lists the agent's classes");
        // A module's interface names two of Byte Buddy's interfaces; what costs is its builder and type pool.
        for (String dependency : List.of("dev.deepgramagent.shaded.bytebuddy.agent.builder.AgentBuilder ",
                "dev.deepgramagent.shaded.bytebuddy.pool.TypePool ", "dev.deepgramagent.shaded.logback.classic.LoggerContext ",
                "dev.deepgramagent.shaded.prometheus.client.CollectorRegistry ")) {
            assertTrue(agentClasses.stream().noneMatch(l -> l.contains(dependency)),
                    dependency + " loaded at start:\n" + agentClasses.stream().filter(l -> l.contains(dependency)).limit(5)
                            .collect(Collectors.joining("\n")));
        }
        long byteBuddyClasses = agentClasses.stream().filter(l -> l.contains("dev.deepgramagent.shaded.bytebuddy.")).count();
        assertTrue(byteBuddyClasses <= 5, byteBuddyClasses + " of Byte Buddy's classes loaded at start");
    }
}
