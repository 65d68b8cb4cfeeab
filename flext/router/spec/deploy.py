"""`flext deploy airflow`: publish this workspace's pipelines to another engine."""

from flext.router.spec import PATH, Node, Opt

NODES = [
    Node(
        "deploy", "Publish this workspace's pipelines to an orchestrator (Airflow)",
        children=[
            Node(
                "airflow", "Write one Airflow DAG file per pipeline of this workspace",
                description="Each DAG (tag `flext`, the pipeline's cron as schedule, max_active_runs=1, no "
                "catch-up) has one task that runs `flext pipeline run NAME` in this workspace, so runs, logs "
                "and state stay here; the task ends by printing the run and the pipeline's state, which a "
                "profile with backend = \"airflow\" reads over Airflow's REST API. Idempotent: unchanged "
                "files are kept byte for byte, files of removed pipelines are removed (only files flext "
                "wrote for this workspace). `--operator kubernetes` writes a KubernetesPodOperator that runs "
                "`flext` from --image, with the workspace at --image-workspace inside it.",
                opts=[
                    Opt("dags-folder", "Airflow's dags folder ([core] dags_folder)", type=PATH, metavar="DIR"),
                    Opt("operator", "Task operator", choices=("bash", "kubernetes"), default="bash"),
                    Opt("image", "Image for --operator kubernetes (flext, the plugins and the workspace)",
                        metavar="IMAGE"),
                    Opt("image-workspace", "The workspace's directory inside --image", default="/workspace",
                        metavar="DIR"),
                    Opt("flext-command", "How the task calls flext (default: $FLEXT_AIRFLOW_COMMAND, else "
                        "this flext's absolute path)", metavar="CMD"),
                    Opt("timezone", "Zone the crons are read in (default: this machine's, as flext does)",
                        metavar="TZ"),
                ],
                examples=["flext deploy airflow --dags-folder ~/airflow/dags",
                          "flext deploy airflow --dags-folder dags/ --operator kubernetes --image reg/etl:1.0",
                          "flext deploy airflow --dags-folder /srv/airflow/dags -o json"],
                handler="flext.commands.deploy:airflow", mutating=True,
            ),
        ],
    ),
]
