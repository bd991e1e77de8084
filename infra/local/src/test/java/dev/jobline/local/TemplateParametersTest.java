package dev.jobline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateParametersTest {
    private static final String TEMPLATE = """
            Parameters:
              Key:
                Type: String
                NoEcho: true
                MinLength: 32
              Stage:
                Type: String
                AllowedValues: [dev, prod]
              Size:
                Type: Number
                MinValue: 3
              Retention:
                Type: Number
                Default: 7
              Given:
                Type: String
            Resources: {}
            """;

    @TempDir
    Path dir;

    @Test
    void parametersWithoutADefaultGetStandInsThatPassTheirConstraints() throws IOException {
        Path template = Files.writeString(dir.resolve("template.yaml"), TEMPLATE);

        Map<String, String> values = TemplateParameters.withLocalStandIns(template, Map.of("Given", "mine"));

        assertEquals(32, values.get("Key").length());
        assertEquals("dev", values.get("Stage"));
        assertEquals("3", values.get("Size"));
        assertEquals("mine", values.get("Given"), "a given value stays");
        assertEquals(null, values.get("Retention"), "a Default is left to the template");
        assertEquals(java.util.Set.of("Key", "Stage", "Size"),
                TemplateParameters.standIns(template, Map.of("Given", "mine")).keySet());
    }
}
