package dev.deepgramagent.it;

import dev.deepgramagent.simulator.DeepgramSimulator;
import dev.deepgramagent.simulator.SimulatorOptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;

/** One embedded simulator per test class: {@code @RegisterExtension static SimulatorExtension sim = ...}. */
final class SimulatorExtension implements BeforeAllCallback, AfterAllCallback {

    private final SimulatorOptions options;
    private DeepgramSimulator simulator;

    private SimulatorExtension(SimulatorOptions options) {
        this.options = options;
    }

    /** Deepgram's own timings: 500 ms processing latency, 10 s idle window. */
    static SimulatorExtension deepgramTimings() {
        return new SimulatorExtension(SimulatorOptions.defaults());
    }

    /** A shorter processing latency, for tests that only need the order of events. */
    static SimulatorExtension withLatency(Duration latency) {
        return new SimulatorExtension(SimulatorOptions.defaults().latency(latency));
    }

    DeepgramSimulator get() {
        return simulator;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        simulator = DeepgramSimulator.start(options);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        simulator.close();
    }
}
