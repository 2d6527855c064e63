package dev.deepgramagent.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One forked JVM running one of the bench apps: its wall time from spawn to exit, and the
 * {@code key=value} lines it printed.
 */
final class JvmRun {

    final double wallMillis;
    final Map<String, String> values;
    final List<String> output;

    private JvmRun(double wallMillis, Map<String, String> values, List<String> output) {
        this.wallMillis = wallMillis;
        this.values = values;
        this.output = output;
    }

    double number(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalStateException("the app did not report " + key + "; its output:\n  " + String.join("\n  ", output));
        }
        return Double.parseDouble(v);
    }

    static JvmRun run(Path java, Path classpath, List<String> jvmArgs, Class<?> main, List<String> args, long timeoutSeconds)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath.toString());
        cmd.add(main.getName());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // Only the arguments given here configure the run: not a JVM option or an agent setting
        // that happens to be in the environment.
        pb.environment().keySet().removeIf(k -> k.startsWith("DEEPGRAM_AGENT_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        long start = System.nanoTime();
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process went away; what was read is kept
            }
        }, "bench-output");
        reader.setDaemon(true);
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(main.getSimpleName() + " did not finish in " + timeoutSeconds + " s");
        }
        double wall = (System.nanoTime() - start) / 1e6;
        reader.join(TimeUnit.SECONDS.toMillis(5));
        Map<String, String> values = new LinkedHashMap<>();
        List<String> copy;
        synchronized (lines) {
            copy = new ArrayList<>(lines);
        }
        for (String line : copy) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[a-z_]+")) {
                values.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(main.getSimpleName() + " exited with " + p.exitValue() + ":\n  " + String.join("\n  ", copy));
        }
        return new JvmRun(wall, values, copy);
    }
}
