package dev.deepgramagent.simulator;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The standalone jar: one command to start, a session log line, a clean stop on SIGTERM. */
class StandaloneIT {

    @Test
    void startsLogsSessionsAndStopsOnSigterm() throws Exception {
        Path jar = Paths.get("target", "deepgram-simulator.jar");
        assertTrue(Files.exists(jar), "runs after the package phase (failsafe), which builds " + jar);
        Path stderr = Files.createTempFile("simulator", ".err");
        Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--port", "0", "--latency", "100ms")
                .redirectError(stderr.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String line = first.get(20, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("listening on (ws://\\S+/v1/listen)").matcher(line);
            assertTrue(m.find(), line);

            OkClient c = OkClient.connect(m.group(1) + "?encoding=linear16&sample_rate=16000").awaitOpen();
            c.stream(0, 10);
            c.socket.send("{\"type\":\"CloseStream\"}");
            assertEquals(1000, c.closeCode());

            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the simulator must stop on SIGTERM");
            String err = Files.readString(stderr);
            assertTrue(err.contains("ended by server: close 1000, audio 0.20s in 10 frames (6400 bytes), control [CloseStream]"), err);
            assertTrue(err.contains("deepgram-simulator: stopping"), err);
        } finally {
            p.destroyForcibly();
        }
    }
}
