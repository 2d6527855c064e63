package dev.deepgramagent.bench;

/** How long and how often each benchmark runs: {@code --quick} (about 15 minutes on 2 cores) or the full run (about 36). */
final class Settings {

    final String mode;
    /** Forks of one JMH run (the receive path). */
    final int jmhForks;
    /**
     * Send path: rounds of a fork per socket without the agent, then with it (the order alternated), so that the
     * machine's drift and a fork's own JIT luck (about ±10 ns on these paths) hit both sides; the
     * figure is the median of the per-round differences.
     */
    final int jmhRounds;
    final int jmhWarmups;
    final int jmhIterations;
    final int jmhIterationMillis;
    final int loadSessions;
    final double loadSpeed;
    final int loadWarmupSeconds;
    final int loadMeasureSeconds;
    final int loadPairs;
    final int startupRuns;
    /** Of those rounds, how many also start the app with the OpenTelemetry agent (seconds per run; context only). */
    final int otelStartupRuns;
    final int firstSessionRuns;
    final int heapSessions;
    final int leakSessions;
    final int leakConcurrency;

    private Settings(String mode, int jmhForks, int jmhRounds, int jmhWarmups, int jmhIterations, int jmhIterationMillis, int loadSessions, double loadSpeed,
                     int loadWarmupSeconds, int loadMeasureSeconds, int loadPairs, int startupRuns, int otelStartupRuns, int firstSessionRuns,
                     int heapSessions, int leakSessions, int leakConcurrency) {
        this.mode = mode;
        this.jmhForks = jmhForks;
        this.jmhRounds = jmhRounds;
        this.jmhWarmups = jmhWarmups;
        this.jmhIterations = jmhIterations;
        this.jmhIterationMillis = jmhIterationMillis;
        this.loadSessions = loadSessions;
        this.loadSpeed = loadSpeed;
        this.loadWarmupSeconds = loadWarmupSeconds;
        this.loadMeasureSeconds = loadMeasureSeconds;
        this.loadPairs = loadPairs;
        this.startupRuns = startupRuns;
        this.otelStartupRuns = otelStartupRuns;
        this.firstSessionRuns = firstSessionRuns;
        this.heapSessions = heapSessions;
        this.leakSessions = leakSessions;
        this.leakConcurrency = leakConcurrency;
    }

    static Settings quick() {
        // Three alternating pairs of shorter load runs rather than one long pair: a single pair read
        // x0.958 throughput and x1.149 CPU where the full run of the same build read x1.000 and x1.016.
        // Send path: three rounds of short forks; one fork per side moved a row by 10 to 20 ns between runs.
        // Six half-second iterations per fork: the figure is their median (see SendPathBench).
        return new Settings("quick", 1, 3, 2, 6, 500, 200, 2, 3, 6, 3, 8, 3, 11, 10_000, 10_000, 100);
    }

    static Settings full() {
        // Send path: seven rounds of shorter forks rather than three long ones. A fork's iterations agree
        // within a few ns; forks do not (Jetty's plain send read 100 to 126 ns, Java-WebSocket's 304 to 394),
        // so what narrows a row is more forks, not more iterations per fork. Six half-second iterations
        // rather than three of a second: JMH's error (a 99.9 % interval) is meaningless over three.
        return new Settings("full", 3, 7, 3, 6, 500, 200, 2, 5, 30, 3, 15, 15, 15, 10_000, 10_000, 100);
    }

    Settings withSessions(int sessions) {
        return new Settings(mode, jmhForks, jmhRounds, jmhWarmups, jmhIterations, jmhIterationMillis, sessions, loadSpeed, loadWarmupSeconds,
                loadMeasureSeconds, loadPairs, startupRuns, otelStartupRuns, firstSessionRuns, heapSessions, leakSessions, leakConcurrency);
    }
}
