//! The curated environments: a static table overlaid on every read of every live workspace
//! (never stored, so a state of 100,000 workspaces holds no copies), read-only, with
//! `environmentType: Curated`, an image and a conda file each (the v1 listing prints their
//! conda dependencies).

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};

use crate::model::time::arm_time;
use crate::store::Resource;

use super::model::{VersionRecord, CONTAINER_TYPE, VERSION_TYPE};

/// One curated environment (one version each).
#[derive(Debug)]
pub struct Curated {
    pub name: &'static str,
    pub version: &'static str,
    pub description: &'static str,
    pub image: &'static str,
    pub conda_file: &'static str,
    pub os_type: &'static str,
}

/// A representative set: the two the v1 how-to names and a few current framework images.
pub const ALL: &[Curated] = &[
    Curated {
        name: "AzureML-ACPT-pytorch-2.2-cuda12.1",
        version: "18",
        description: "Azure Container for PyTorch (ACPT): PyTorch 2.2 with CUDA 12.1, DeepSpeed and ONNX Runtime Training.",
        image: "mcr.microsoft.com/azureml/curated/acpt-pytorch-2.2-cuda12.1:18",
        conda_file: "name: acpt\nchannels:\n- conda-forge\ndependencies:\n- python=3.10\n- pip:\n  - torch==2.2.2\n  - deepspeed==0.14.2\n  - onnxruntime-training==1.18.0\n  - azureml-core==1.56.0\n",
        os_type: "Linux",
    },
    Curated {
        name: "AzureML-Minimal",
        version: "48",
        description: "A minimal environment: Python with azureml-defaults, for quick starts and scoring.",
        image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20251130.v1",
        conda_file: "name: azureml_minimal\nchannels:\n- conda-forge\ndependencies:\n- python=3.8.13\n- pip:\n  - azureml-core==1.61.0\n  - azureml-defaults==1.61.0\n",
        os_type: "Linux",
    },
    Curated {
        name: "AzureML-Tutorial",
        version: "62",
        description: "The environment of the Azure Machine Learning tutorials: the SDK, scikit-learn, pandas and matplotlib.",
        image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20251130.v1",
        conda_file: "name: azureml_tutorial\nchannels:\n- conda-forge\ndependencies:\n- python=3.8.13\n- pip:\n  - azureml-core==1.61.0\n  - azureml-defaults==1.61.0\n  - azureml-telemetry==1.61.0\n  - azureml-train-automl-client==1.61.0\n  - scikit-learn==1.1.3\n  - pandas==1.5.3\n  - matplotlib==3.7.1\n",
        os_type: "Linux",
    },
    Curated {
        name: "AzureML-pytorch-2.2-cuda11.8",
        version: "12",
        description: "PyTorch 2.2 with CUDA 11.8 for GPU training.",
        image: "mcr.microsoft.com/azureml/curated/pytorch-2.2-cuda11.8:12",
        conda_file: "name: pytorch\nchannels:\n- conda-forge\ndependencies:\n- python=3.10\n- pip:\n  - torch==2.2.2\n  - torchvision==0.17.2\n  - azureml-core==1.56.0\n  - azureml-defaults==1.56.0\n",
        os_type: "Linux",
    },
    Curated {
        name: "AzureML-sklearn-1.5",
        version: "21",
        description: "scikit-learn 1.5 on Ubuntu 22.04 with Python 3.10, for CPU training.",
        image: "mcr.microsoft.com/azureml/curated/sklearn-1.5:21",
        conda_file: "name: sklearn\nchannels:\n- conda-forge\ndependencies:\n- python=3.10\n- pip:\n  - scikit-learn==1.5.1\n  - pandas==2.2.2\n  - azureml-core==1.56.0\n  - azureml-defaults==1.56.0\n",
        os_type: "Linux",
    },
];

/// The curated environment named `name` (case-insensitive).
pub fn find(name: &str) -> Option<&'static Curated> {
    ALL.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// When the curated set was published (fixed, so answers do not depend on the clock).
pub fn published() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 11, 30, 0, 0, 0).single().unwrap_or_default()
}

fn system_data() -> Value {
    let at = arm_time(published());
    json!({
        "createdAt": at, "createdBy": "Microsoft", "createdByType": "Application",
        "lastModifiedAt": at, "lastModifiedBy": "Microsoft", "lastModifiedByType": "Application",
    })
}

fn container_id(ws: &Resource, c: &Curated) -> String {
    format!("{}/environments/{}", ws.id, c.name)
}

/// The curated version's v2 body in workspace `ws`.
pub fn version_body(c: &Curated, ws: &Resource) -> Value {
    json!({
        "id": format!("{}/versions/{}", container_id(ws, c), c.version),
        "name": c.version,
        "type": VERSION_TYPE,
        "properties": {
            "description": c.description,
            "tags": {},
            "properties": {},
            "isArchived": false,
            "isAnonymous": false,
            "environmentType": "Curated",
            "image": c.image,
            "condaFile": c.conda_file,
            "osType": c.os_type,
            "autoRebuild": "Disabled",
            "provisioningState": "Succeeded",
        },
        "systemData": system_data(),
    })
}

/// The curated container's v2 body in workspace `ws`.
pub fn container_body(c: &Curated, ws: &Resource) -> Value {
    json!({
        "id": container_id(ws, c),
        "name": c.name,
        "type": CONTAINER_TYPE,
        "properties": {
            "description": c.description,
            "tags": {},
            "properties": {},
            "isArchived": false,
            "latestVersion": c.version,
            "nextVersion": super::wire::next_after(c.version),
            "provisioningState": "Succeeded",
        },
        "systemData": system_data(),
    })
}

/// The curated version as a record of workspace `ws`.
pub fn record(c: &Curated, ws: &Arc<Resource>) -> VersionRecord {
    VersionRecord {
        name: c.name.to_string(),
        version: c.version.to_string(),
        body: version_body(c, ws),
        v1: None,
        created_time: published(),
        curated: true,
        archived: false,
    }
}
