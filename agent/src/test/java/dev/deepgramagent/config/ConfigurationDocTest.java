package dev.deepgramagent.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/configuration.md documents every key with its real default. */
class ConfigurationDocTest {

    @Test
    void everyKeyIsDocumentedWithItsDefault() throws Exception {
        Path doc = Paths.get("..", "docs", "configuration.md");
        String text = Files.readString(doc);
        for (ConfigKey key : ConfigKey.values()) {
            String row = "| `" + key.key() + "` | `" + key.defaultText() + "` |";
            assertTrue(text.contains(row), "docs/configuration.md lacks the row starting " + row);
        }
    }
}
