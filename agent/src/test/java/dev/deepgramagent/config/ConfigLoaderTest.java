package dev.deepgramagent.config;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    private final List<String> warnings = new ArrayList<>();

    private AgentConfig load(String args, Map<String, String> props, Map<String, String> env) {
        return ConfigLoader.load(args, props, env, warnings::add);
    }

    @Test
    void defaults() {
        AgentConfig c = load(null, Map.of(), Map.of());
        assertTrue(c.enabled());
        assertEquals(AgentConfig.Mode.ACTIVE, c.mode());
        assertEquals(List.of("api.deepgram.com", "*.deepgram.com"), c.hosts());
        assertEquals("info", c.logLevel());
        assertFalse(c.jsonLogs());
        assertEquals(5000, c.millis(ConfigKey.INIT_TIMEOUT));
        assertEquals("default", c.source(ConfigKey.MODE));
        assertEquals(List.of(), warnings);
    }

    @Test
    void precedenceIsArgumentsThenPropertiesThenEnvironment() {
        AgentConfig c = load("mode=observe",
                Map.of("deepgram.agent.mode", "active", "deepgram.agent.log.level", "debug"),
                Map.of("DEEPGRAM_AGENT_MODE", "active", "DEEPGRAM_AGENT_LOG_LEVEL", "warn", "DEEPGRAM_AGENT_LOG_FORMAT", "json"));
        assertEquals(AgentConfig.Mode.OBSERVE, c.mode());
        assertEquals("agent argument", c.source(ConfigKey.MODE));
        assertEquals("debug", c.logLevel());
        assertTrue(c.jsonLogs());
        assertEquals("environment DEEPGRAM_AGENT_LOG_FORMAT", c.source(ConfigKey.LOG_FORMAT));
        assertEquals(List.of(), warnings);
    }

    @Test
    void unknownKeysAreReportedOncePerSource() {
        load("colour=blue", Map.of("deepgram.agent.size", "1"), Map.of("DEEPGRAM_AGENT_SHAPE", "x", "PATH", "/bin"));
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("DEEPGRAM_AGENT_SHAPE"));
        assertTrue(warnings.get(1).contains("-Ddeepgram.agent.size"));
        assertTrue(warnings.get(2).contains("unknown key 'colour'"));
    }

    @Test
    void badValueKeepsTheDefaultAndNamesKeyValueAndAcceptedValues() {
        AgentConfig c = load("mode=loud,init.timeout=-1s,log.level=chatty", Map.of(), Map.of());
        assertEquals(AgentConfig.Mode.ACTIVE, c.mode());
        assertEquals(5000, c.millis(ConfigKey.INIT_TIMEOUT));
        assertEquals("info", c.logLevel());
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("mode=loud") && warnings.get(0).contains("active|observe")
                && warnings.get(0).contains("using the default active"), warnings.get(0));
        assertTrue(warnings.get(1).contains("log.level=chatty") && warnings.get(1).contains("off|error|warn|info|debug|trace"));
        assertTrue(warnings.get(2).contains("init.timeout=-1s") && warnings.get(2).contains("negative"));
        for (String w : warnings) {
            assertTrue(w.startsWith("deepgram-agent: config: "), w);
            assertFalse(w.contains("\n"), w);
        }
    }

    @Test
    void malformedArgumentsAreReportedAndTheRestStillApplies() {
        AgentConfig c = load("mode,=x,,log.level=debug,", Map.of(), Map.of());
        assertEquals("debug", c.logLevel());
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("malformed agent argument 'mode'"));
        assertTrue(warnings.get(1).contains("malformed agent argument '=x'"));
    }

    @Test
    void hostListsAcceptCommasInsideAgentArguments() {
        AgentConfig c = load("hosts=dg.internal:8080,*.example.com,mode=observe", Map.of(), Map.of());
        assertEquals(List.of("dg.internal:8080", "*.example.com"), c.hosts());
        assertEquals(AgentConfig.Mode.OBSERVE, c.mode());
        assertEquals(List.of(), warnings);

        AgentConfig fromEnv = load(null, Map.of(), Map.of("DEEPGRAM_AGENT_HOSTS", "a.example.com;[::1]:9000, B.example.com"));
        assertEquals(List.of("a.example.com", "[::1]:9000", "b.example.com"), fromEnv.hosts());

        AgentConfig spaced = load(null, Map.of("deepgram.agent.hosts", " ;a_1-b.example.com\t\n*.x.io ,,; 10.0.0.5:8080;"), Map.of());
        assertEquals(List.of("a_1-b.example.com", "*.x.io", "10.0.0.5:8080"), spaced.hosts());
        assertEquals(List.of(), warnings);
    }

    @Test
    void badHostsAreRejected() {
        for (String bad : List.of("bad host!", "h:99999", "::1", "[::1", "*.", "*", "ex%ample.com", "a.*.com", " ;, ", "h:")) {
            warnings.clear();
            AgentConfig c = load(null, Map.of("deepgram.agent.hosts", bad), Map.of());
            assertEquals(List.of("api.deepgram.com", "*.deepgram.com"), c.hosts(), bad);
            assertEquals(1, warnings.size(), bad + " -> " + warnings);
        }
    }

    @Test
    void valuesEchoedBackAreSanitised() {
        load("mode=\u0007evil\nline", Map.of(), Map.of());
        assertEquals(1, warnings.size());
        assertFalse(warnings.get(0).contains("\n"));
        assertTrue(warnings.get(0).contains("mode=?evil?line"), warnings.get(0));
    }

    @Test
    void everyKeyHasADescriptionAndAValidDefault() {
        for (ConfigKey key : ConfigKey.values()) {
            assertFalse(key.description().isEmpty(), key.key());
            key.defaultValue();
            assertTrue(key.environmentVariable().matches("DEEPGRAM_AGENT_[A-Z0-9_]+"), key.environmentVariable());
        }
    }
}
