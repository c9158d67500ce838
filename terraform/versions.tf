terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # State belongs in a shared, locked backend, e.g.:
  # backend "s3" {
  #   bucket       = "kefu-terraform-state"
  #   key          = "production/terraform.tfstate"
  #   region       = "eu-central-1"
  #   use_lockfile = true
  #   encrypt      = true
  # }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ Project = "kefu", Environment = var.environment }, var.tags)
  }
}
