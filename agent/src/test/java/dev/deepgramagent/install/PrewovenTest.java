package dev.deepgramagent.install;

import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The build-time weave (process-classes) matches what the agent would weave at run time. */
class PrewovenTest {

    private static final String TYPE = "okhttp3/internal/ws/RealWebSocket";

    @Test
    void okHttp412IsWovenAtBuildTimeExactlyAsAtRunTime() throws Exception {
        byte[] original;
        try (InputStream in = ClassLoader.getSystemResourceAsStream(TYPE + ".class")) {
            assertNotNull(in, "OkHttp 4.12 is on the test class path");
            original = in.readAllBytes();
        }
        byte[] prewoven = Prewoven.lookup(TYPE, original);
        assertNotNull(prewoven, "woven at build time");

        InstrumentationModule okhttp = AgentStartup.MODULES.get(0);
        byte[] atRunTime = new Weaver(AgentStartup.MODULES)
                .weave(ClassLoader.getSystemClassLoader(), TYPE.replace('/', '.'), original, okhttp.advice(TYPE.replace('/', '.')));
        assertArrayEquals(atRunTime, prewoven);
    }

    @Test
    void otherBytesAreNotPrewoven() throws Exception {
        byte[] original;
        try (InputStream in = ClassLoader.getSystemResourceAsStream(TYPE + ".class")) {
            original = in.readAllBytes();
        }
        original[original.length - 1] ^= 1;
        assertNull(Prewoven.lookup(TYPE, original));
    }
}
