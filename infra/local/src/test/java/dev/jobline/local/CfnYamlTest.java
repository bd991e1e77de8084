package dev.jobline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CfnYamlTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String yaml) {
        return (Map<String, Object>) CfnYaml.parse(yaml);
    }

    @Test
    void scalarShortFormsBecomeLongForms() {
        Map<String, Object> doc = parse("""
                a: !Ref JobsTable
                b: !GetAtt JobsQueue.Arn
                c: !Sub "${JobsTable.Arn}/index/*"
                d: !GetAtt Db.Endpoint.Address
                e: !Condition IsProd
                f: !ImportValue shared-vpc
                g: !Base64 hello
                h: !GetAZs ""
                """);
        assertEquals(Map.of("Ref", "JobsTable"), doc.get("a"));
        assertEquals(Map.of("Fn::GetAtt", List.of("JobsQueue", "Arn")), doc.get("b"));
        assertEquals(Map.of("Fn::Sub", "${JobsTable.Arn}/index/*"), doc.get("c"));
        // the resource name ends at the first dot; the attribute keeps the rest
        assertEquals(Map.of("Fn::GetAtt", List.of("Db", "Endpoint.Address")), doc.get("d"));
        assertEquals(Map.of("Condition", "IsProd"), doc.get("e"));
        assertEquals(Map.of("Fn::ImportValue", "shared-vpc"), doc.get("f"));
        assertEquals(Map.of("Fn::Base64", "hello"), doc.get("g"));
        assertEquals(Map.of("Fn::GetAZs", ""), doc.get("h"));
    }

    @Test
    void sequenceAndMappingFormsNest() {
        Map<String, Object> doc = parse("""
                sub: !Sub
                  - "${Name}-${AWS::Region}"
                  - Name: !Ref Prefix
                getatt: !GetAtt [JobsQueue, Arn]
                join: !Join [":", [a, !Ref B, !Select [0, !Split [",", "x,y"]]]]
                if: !If [IsProd, !Ref Big, !Ref "AWS::NoValue"]
                cond: !And [!Equals [!Ref Env, prod], !Not [!Condition IsTest], !Or [!Condition A, !Condition B]]
                map: !FindInMap [Sizes, !Ref Env, Memory]
                base64: !Base64 {"Fn::Sub": "x"}
                """);
        assertEquals(Map.of("Fn::Sub", List.of("${Name}-${AWS::Region}", Map.of("Name", Map.of("Ref", "Prefix")))),
                doc.get("sub"));
        assertEquals(Map.of("Fn::GetAtt", List.of("JobsQueue", "Arn")), doc.get("getatt"));
        assertEquals(Map.of("Fn::Join", List.of(":", List.of("a", Map.of("Ref", "B"),
                Map.of("Fn::Select", List.of(0, Map.of("Fn::Split", List.of(",", "x,y"))))))), doc.get("join"));
        assertEquals(Map.of("Fn::If", List.of("IsProd", Map.of("Ref", "Big"), Map.of("Ref", "AWS::NoValue"))),
                doc.get("if"));
        assertEquals(Map.of("Fn::And", List.of(
                Map.of("Fn::Equals", List.of(Map.of("Ref", "Env"), "prod")),
                Map.of("Fn::Not", List.of(Map.of("Condition", "IsTest"))),
                Map.of("Fn::Or", List.of(Map.of("Condition", "A"), Map.of("Condition", "B"))))), doc.get("cond"));
        assertEquals(Map.of("Fn::FindInMap", List.of("Sizes", Map.of("Ref", "Env"), "Memory")), doc.get("map"));
        assertEquals(Map.of("Fn::Base64", Map.of("Fn::Sub", "x")), doc.get("base64"));
    }

    @Test
    void getAttWithoutAttributeIsAnError() {
        Exception e = assertThrows(Exception.class, () -> CfnYaml.parse("a: !GetAtt JobsQueue"));
        assertEquals(true, String.valueOf(e.getMessage()).contains("Resource.Attribute")
                || String.valueOf(e.getCause()).contains("Resource.Attribute"), e::toString);
    }

    @Test
    @SuppressWarnings("unchecked")
    void readsTheRepositoryTemplate() throws Exception {
        Map<String, Object> template = CfnYaml.load(LocalAwsExtension.template());
        Map<String, Object> resources = (Map<String, Object>) template.get("Resources");
        Map<String, Object> queue = (Map<String, Object>) resources.get("JobsQueue");
        Map<String, Object> redrive =
                (Map<String, Object>) ((Map<String, Object>) queue.get("Properties")).get("RedrivePolicy");
        assertEquals(Map.of("Fn::GetAtt", List.of("JobsDeadLetterQueue", "Arn")), redrive.get("deadLetterTargetArn"));
    }
}
