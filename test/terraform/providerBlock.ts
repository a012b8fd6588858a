// The provider block the Terraform tests and bench/terraform-validations.ts point hashicorp/aws at the emulator with (no vitest here: the bench imports it).

/** The provider block that points hashicorp/aws at the emulator and keeps it off real AWS. */
export function providerBlock(url: string, options: { region?: string; accessKey?: string } = {}): string {
  return `
provider "aws" {
  region     = "${options.region ?? "us-east-1"}"
  access_key = "${options.accessKey ?? "AKIAOWNER00000000001"}"
  secret_key = "not-checked-in-lenient-mode"

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1

  endpoints {
    ec2 = "${url}"
  }
}
`;
}
